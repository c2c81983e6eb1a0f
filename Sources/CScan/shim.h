#ifndef CUSTODY_CSCAN_SHIM_H
#define CUSTODY_CSCAN_SHIM_H
// Sixteen bytes of a JSON string scanned at once (header only, nothing to link).
#include <stdint.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

// A bit per byte of p[0..<16] (bit i for p[i]) that ends a raw JSON string scan: a quote, a
// backslash, a control byte (below 0x20) or a byte of a non-ASCII character (0x80 and up).
// p must have 16 readable bytes.
static inline uint32_t custody_string_stops16(const uint8_t *p) {
#if defined(__SSE2__)
    __m128i bytes = _mm_loadu_si128((const __m128i *)p);
    __m128i quote = _mm_cmpeq_epi8(bytes, _mm_set1_epi8('"'));
    __m128i backslash = _mm_cmpeq_epi8(bytes, _mm_set1_epi8('\\'));
    // Signed: 0x80 and up are negative, so below 0x20 too.
    __m128i low = _mm_cmplt_epi8(bytes, _mm_set1_epi8(0x20));
    return (uint32_t)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(quote, backslash), low));
#else
    uint32_t stops = 0;
    for (int i = 0; i < 16; i++) {
        uint8_t byte = p[i];
        if (byte == '"' || byte == '\\' || byte < 0x20 || byte >= 0x80) stops |= (uint32_t)1 << i;
    }
    return stops;
#endif
}
#endif
