"""An impostor's listener for the identity tests, run with the system python.

    impostor.py SOCKET RECORD UID [--create-folder]

Started as root: optionally creates the socket's folder (mode 0777, owned by
UID), binds SOCKET (mode 0777), drops to UID, and only then listens, so the
kernel reports UID as the listener (SO_PEERCRED). Every byte any client sends
is appended to RECORD. Prints "ready" once listening; runs until killed.
"""
import os
import select
import socket
import sys

path, record, uid = sys.argv[1], sys.argv[2], int(sys.argv[3])
if "--create-folder" in sys.argv:
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    folder = os.path.dirname(path)
    os.mkdir(folder)
    os.chmod(folder, 0o777)
listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
listener.bind(path)
os.chmod(path, 0o777)
if os.getuid() != uid:
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
listener.listen(16)
with open(record, "ab"):
    pass
print("ready", flush=True)
clients = []
while True:
    readable, _, _ = select.select([listener, *clients], [], [])
    for sock in readable:
        if sock is listener:
            clients.append(listener.accept()[0])
            continue
        data = sock.recv(65536)
        if not data:
            clients.remove(sock)
            sock.close()
            continue
        with open(record, "ab") as out:
            out.write(data)
