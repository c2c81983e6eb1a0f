import Crypto
import CustodyCore

func sha256Hex(_ text: String) -> String {
    Hex.encode(SHA256.hash(data: Array(text.utf8)))
}
