#!/usr/bin/python3
"""Helpers for output_consumers_test.cpp, run with Debian's python3 (python3-libnmap, python3-jsonschema).

  consumers.py libnmap FILE.xml        prints one line per host: "<address> <name>|<accuracy>;..."
  consumers.py schema SCHEMA FILE.json validates every line of a JSON Lines file; prints "ok N" or
                                       the first error and exits 1
"""
import json
import sys


def libnmap_matches(path):
    from libnmap.parser import NmapParser
    report = NmapParser.parse_fromfile(path)
    for host in report.hosts:
        matches = ";".join(f"{m.name}|{m.accuracy}" for m in host.os.osmatches)
        print(f"{host.address} {matches}")


def validate(schema_path, jsonl_path):
    import jsonschema
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema, format_checker=jsonschema.FormatChecker())
    count = 0
    with open(jsonl_path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            errors = sorted(validator.iter_errors(json.loads(line)), key=lambda e: list(e.path))
            if errors:
                e = errors[0]
                print(f"line {number}: {'/'.join(map(str, e.path))}: {e.message}")
                return 1
            count += 1
    print(f"ok {count}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "libnmap":
        libnmap_matches(sys.argv[2])
        sys.exit(0)
    if len(sys.argv) == 4 and sys.argv[1] == "schema":
        sys.exit(validate(sys.argv[2], sys.argv[3]))
    print(__doc__, file=sys.stderr)
    sys.exit(2)
