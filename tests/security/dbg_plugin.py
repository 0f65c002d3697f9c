import tests.security.test_fuzz_forms as f


def _send(client, method, url, **kw):
    try:
        r = client.open(url, method=method, **kw)
    except Exception as exc:
        return None, f"{type(exc).__name__}: {exc}"
    if method == "POST":
        print("DBG", url, r.status_code)
    return r.status_code, None


f._send = _send
