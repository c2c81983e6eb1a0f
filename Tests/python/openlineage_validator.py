"""Validates OpenLineage events offline against the official 2-0-2 schema and facet
schemas in ../shared/specs/openlineage, plus Custody's own facet schema."""
import json
import pathlib

import jsonschema
from referencing import Registry, Resource

ROOT = pathlib.Path(__file__).resolve().parents[2]
FACETS = {"tags": "TagsDatasetFacet", "ownership": "OwnershipDatasetFacet",
          "lifecycleStateChange": "LifecycleStateChangeDatasetFacet"}


class OpenLineage:
    def __init__(self, shared):
        specs = pathlib.Path(shared) / "specs" / "openlineage"
        if not (specs / "OpenLineage.json").exists():
            raise AssertionError(f"the OpenLineage specs are missing at {specs}")
        core = json.loads((specs / "OpenLineage.json").read_text())
        resources = [(core["$id"], Resource.from_contents(core))]
        self.facets = {}
        for key, name in FACETS.items():
            document = json.loads((specs / "facets" / f"{name}.json").read_text())
            resources.append((document["$id"], Resource.from_contents(document)))
            self.facets[key] = document
        custody = json.loads((ROOT / "schemas/openlineage/CustodyDecisionDatasetFacet.json").read_text())
        resources.append((custody["$id"], Resource.from_contents(custody)))
        self.facets["custody"] = custody
        self.registry = Registry().with_resources(resources)
        self.core = core

    def _validator(self, document):
        return jsonschema.Draft202012Validator(document, registry=self.registry, format_checker=jsonschema.FormatChecker())

    def errors(self, event):
        found = [f"event: {e.message}" for e in self._validator(self.core).iter_errors(event)]
        datasets = event.get("inputs", []) + event.get("outputs", []) + ([event["dataset"]] if "dataset" in event else [])
        for dataset in datasets:
            for key, facet in dataset.get("facets", {}).items():
                if key not in self.facets:
                    found.append(f"unknown facet {key}")
                    continue
                found += [f"{key}: {e.message}" for e in self._validator(self.facets[key]).iter_errors({key: facet})]
        return found
