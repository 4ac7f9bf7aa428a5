"""The checks of a page script: each printed as it is made, and the exit code they add up to."""
failures = []


def check(ok, what):
    print(("ok      " if ok else "FAILED  ") + what)
    if not ok:
        failures.append(what)


def outcome():
    """0 when every check held, 1 (after naming how many failed) when one did not."""
    if failures:
        print("%d check(s) failed" % len(failures))
        return 1
    print("every check held")
    return 0
