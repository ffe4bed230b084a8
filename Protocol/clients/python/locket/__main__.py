"""``python -m locket [SOCKET]``: a short demo against the running daemon."""
import sys

from . import Locket, LocketError, NotFound


def main() -> int:
    vault = Locket(sys.argv[1] if len(sys.argv) > 1 else None)
    try:
        print("status:", vault.status())
        print("put:", vault.put("python-demo", "greeting", {"hello": "world", "n": 42}, ttl=60))
        print("get:", vault.get("python-demo", "greeting"))
        print("list:", [item["key"] for item in vault.list("python-demo")])
        print("delete:", vault.delete("python-demo", "greeting"))
        vault.get("python-demo", "greeting")
    except NotFound:
        print("get after delete: not_found, as expected")
    except LocketError as error:
        print(f"locket: {error}", file=sys.stderr)
        return 1
    finally:
        vault.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
