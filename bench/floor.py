# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""The practical floor: paginated LIST of deployments, services and ingresses with urllib3 and
json, GC paused, nothing kept but a count. Usage: floor.py KUBECONFIG"""

import base64
import gc
import json
import ssl
import sys
import tempfile

import urllib3
import yaml

gc.disable()
cfg = yaml.safe_load(open(sys.argv[1]))
cluster = cfg["clusters"][0]["cluster"]
user = cfg["users"][0]["user"]
files = {}
for key in ("certificate-authority-data", "client-certificate-data", "client-key-data"):
    fh = tempfile.NamedTemporaryFile(delete=False)
    fh.write(base64.b64decode(user.get(key) or cluster.get(key)))
    fh.close()
    files[key] = fh.name
ctx = ssl.create_default_context(cafile=files["certificate-authority-data"])
ctx.load_cert_chain(files["client-certificate-data"], files["client-key-data"])
http = urllib3.PoolManager(ssl_context=ctx)
count = 0
for path in (
    "/apis/apps/v1/deployments",
    "/api/v1/services",
    "/apis/networking.k8s.io/v1/ingresses",
):
    cont = None
    while True:
        url = cluster["server"] + path + "?limit=500" + ("&continue=" + cont if cont else "")
        page = json.loads(http.request("GET", url).data)
        count += len(page["items"])
        cont = page["metadata"].get("continue")
        if not cont:
            break
print(count)
