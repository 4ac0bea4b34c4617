# -*- coding: utf-8 -*-
# Copyright: (c) 2026, meshgate authors
# Apache License 2.0 (see LICENSE)
"""Vendor catalog: everything the collection knows about third-party load balancers, as data.

One entry per controller / cloud LB. Adding a vendor means adding an entry here (and a fixture
under tests/fixtures), never a branch in detect.py. Facts and their sources are listed in
docs/vendors.md; the reference is ../shared/docs/istio-lb-reference.md sections 4 and 5.

Entry keys (all optional unless noted):
  id (required)             canonical vendor id (keep stable, users filter on it)
  name                      display name
  kind                      "in-cluster" or "cloud"
  ingress_class_controllers IngressClass spec.controller strings (exact, or prefix when ending in "/")
  gateway_class_controllers GatewayClass spec.controllerName strings (same matching)
  class_names               conventional class names (legacy annotation / ingressClassName) used
                            to infer the vendor when the IngressClass object is not available
  annotation_prefixes       annotation prefixes on routes that identify the vendor
  route_kinds               vendor route kinds: {"group/Kind": {"backends": <jmespath>}} where the
                            expression yields [{service, port, namespace?}] from the object
  workload_signals          how to recognise the vendor's pods: list of
                            {"image": regex on the normalised image path (no registry, tag, digest)}
                            or {"labels": {k: v}} (pod template labels, all must match), each with
                            "role": data-plane | control-plane | all-in-one
  class_args                container args / env that carry the class names the workload serves
  helper_jobs               regexes on Job images/names that are the vendor's install helpers
  webhook_ports             ports on which the API server calls the LB pod (admission webhooks)
  service_routing           how to tell traffic goes to the Service VIP rather than pod IPs:
                            {"switch": human text, "route": [jmespath on the route object],
                             "backend_service": [jmespath on each backend Service],
                             "workload": [jmespath on the LB workload], "configmap": {...},
                             "default": bool}; "switch": None means the vendor has none
  host_rewrite              {"route": [jmespath]} - Host header set to the Service FQDN
  health_check              for cloud LBs fronting the Istio gateway: where the check is set
  retired                   text when the project is retired / end of life
"""

from __future__ import annotations

ISTIO_STATUS_PORT = 15021
ISTIO_READY_PATH = "/healthz/ready"

# Istio's own pieces (never reported as third-party LBs).
ISTIO = {
    "istiod_images": [r"(^|/)pilot$"],
    "istiod_labels": [{"app": "istiod"}, {"istio": "pilot"}],
    "proxy_images": [r"(^|/)proxyv2$"],
    "ztunnel_images": [r"(^|/)ztunnel$"],
    "gateway_labels": [
        {"istio": "ingressgateway"},
        {"app": "istio-ingressgateway"},
        {"gateway.istio.io/managed": "istio.io-gateway-controller"},
        {"istio.io/gateway-name": None},
    ],
    "gateway_class_controllers": ["istio.io/gateway-controller", "istio.io/mesh-controller"],
    "gateway_class_names": ["istio", "istio-remote", "istio-waypoint", "istio-east-west"],
    "pod_annotation_prefixes": [
        "traffic.sidecar.istio.io/",
        "sidecar.istio.io/",
        "proxy.istio.io/",
        "ambient.istio.io/",
        "inject.istio.io/",
        "status.sidecar.istio.io/",
        "readiness.status.sidecar.istio.io/",
    ],
}

_BACKEND_INGRESS = None  # networking.k8s.io Ingress backends are read structurally in detect.py

VENDORS = [
    {
        "id": "ingress-nginx",
        "plan": {
            "switch": [
                {
                    "on": "Ingress",
                    "target": "route",
                    "annotations": {"nginx.ingress.kubernetes.io/service-upstream": "true"},
                    # Without it the sidecar sees the client's Host, matches no Service and sends
                    # plaintext through PassthroughCluster (ingress-nginx#3171).
                    "host_annotation": "nginx.ingress.kubernetes.io/upstream-vhost",
                },
            ],
            "global_switch": "configmap",
            # chained mode with TLS to the Istio gateway: what makes the LB speak HTTPS upstream
            "backend_tls": {
                "target": "route",
                "annotations": {"nginx.ingress.kubernetes.io/backend-protocol": "HTTPS"},
            },
            "helm": {
                "chart": "ingress-nginx/ingress-nginx",
                "pod_annotations": "controller.podAnnotations",
                "pod_labels": "controller.podLabels",
                "config": "controller.config",
                "job_labels": "controller.admissionWebhooks.patch.labels",
            },
        },
        "name": "ingress-nginx (kubernetes/ingress-nginx)",
        "kind": "in-cluster",
        "ingress_class_controllers": ["k8s.io/ingress-nginx"],
        "class_names": ["nginx"],
        "annotation_prefixes": ["nginx.ingress.kubernetes.io/"],
        "workload_signals": [
            {"image": r"(^|/)ingress-nginx/controller(-chroot)?$", "role": "all-in-one"},
            {"image": r"(^|/)nginx-ingress-controller(-[a-z0-9]+)?$", "role": "all-in-one"},
            {
                "labels": {
                    "app.kubernetes.io/name": "ingress-nginx",
                    "app.kubernetes.io/component": "controller",
                },
                "role": "all-in-one",
            },
        ],
        "class_args": {
            "ingress_class": ["--ingress-class"],
            "controller_class": ["--controller-class"],
        },
        "helper_jobs": [r"(^|/)kube-webhook-certgen$", r"admission-(create|patch)$"],
        "webhook_ports": [8443],
        "service_routing": {
            "switch": 'Ingress annotation nginx.ingress.kubernetes.io/service-upstream: "true" '
            '(or controller ConfigMap key service-upstream: "true")',
            "route": [
                "metadata.annotations.\"nginx.ingress.kubernetes.io/service-upstream\" == 'true'"
            ],
            "configmap": {"arg": "--configmap", "key": "service-upstream", "value": "true"},
            "default": False,
        },
        "host_rewrite": {
            "route": ['metadata.annotations."nginx.ingress.kubernetes.io/upstream-vhost"']
        },
        "retired": "ingress-nginx is retired: best-effort maintenance ended in March 2026 (no more "
        "releases or security fixes). Plan a migration (Istio Gateway API, or another vendor).",
    },
    {
        "id": "nginx-inc",
        "plan": {
            "switch": [
                {
                    "on": "Ingress",
                    "target": "route",
                    "annotations": {"nginx.org/use-cluster-ip": "true"},
                },
                {
                    "on": "VirtualServer",
                    "target": "route_list",
                    "field": "upstreams",
                    "set": {"use-cluster-ip": True},
                },
                {
                    "on": "VirtualServerRoute",
                    "target": "route_list",
                    "field": "upstreams",
                    "set": {"use-cluster-ip": True},
                },
            ],
        },
        "name": "F5 NGINX Ingress Controller (nginx/kubernetes-ingress)",
        "kind": "in-cluster",
        "ingress_class_controllers": ["nginx.org/ingress-controller"],
        "class_names": ["nginx"],
        "annotation_prefixes": ["nginx.org/", "nginx.com/"],
        "route_kinds": {
            "k8s.nginx.org/VirtualServer": {
                "plan_fields": ["upstreams"],
                "backends": "spec.upstreams[].{service: service, port: port}",
                "hosts": "[spec.host]",
            },
            "k8s.nginx.org/VirtualServerRoute": {
                "plan_fields": ["upstreams"],
                "backends": "spec.upstreams[].{service: service, port: port}",
                "hosts": "[spec.host]",
            },
        },
        "workload_signals": [
            {"image": r"(^|/)nginx-ingress$", "role": "all-in-one"},
            {"image": r"(^|/)nginx-plus-ingress$", "role": "all-in-one"},
            {"labels": {"app.kubernetes.io/name": "nginx-ingress"}, "role": "all-in-one"},
        ],
        "class_args": {"ingress_class": ["-ingress-class", "--ingress-class"]},
        "service_routing": {
            "switch": 'Ingress annotation nginx.org/use-cluster-ip: "true" (NIC >= 3.5.0); '
            "VirtualServer upstreams[].use-cluster-ip: true",
            "route": [
                "metadata.annotations.\"nginx.org/use-cluster-ip\" == 'true'",
                "length(spec.upstreams || `[]`) > `0` && "
                'length(spec.upstreams[?"use-cluster-ip" != `true`]) == `0`',
            ],
            "default": False,
        },
        "host_rewrite": {
            "route": [
                "spec.routes[].action.proxy.requestHeaders.set[?name == 'Host'][] | length(@) > `0`"
            ]
        },
    },
    {
        "id": "emissary",
        "plan": {
            "switch": [],
            "default_service_routing": True,
            "helm": {"pod_annotations": "podAnnotations"},
        },
        "name": "Emissary-ingress / Ambassador",
        "kind": "in-cluster",
        "ingress_class_controllers": ["getambassador.io/ingress-controller"],
        "class_names": ["ambassador", "emissary"],
        "annotation_prefixes": ["getambassador.io/"],
        "route_kinds": {
            "getambassador.io/Mapping": {
                "backends": "[{service: spec.service}]",
                "hosts": "[spec.hostname || spec.host]",
            },
            "getambassador.io/TCPMapping": {
                "backends": "[{service: spec.service}]",
                "hosts": "[spec.host]",
            },
        },
        "workload_signals": [
            {"image": r"(^|/)(emissary|ambassador|aes)$", "role": "all-in-one"},
            {"labels": {"app.kubernetes.io/name": "emissary-ingress"}, "role": "all-in-one"},
            {
                "labels": {"app.kubernetes.io/managed-by": "getambassador.io", "profile": "main"},
                "role": "all-in-one",
            },
            {"labels": {"service": "ambassador"}, "role": "all-in-one"},
            {
                "labels": {"app.kubernetes.io/name": "emissary-ingress-agent"},
                "role": "control-plane",
                "decides_role": True,
            },
            {
                "labels": {"app.kubernetes.io/name": "emissary-apiext"},
                "role": "control-plane",
                "decides_role": True,
            },
        ],
        "service_routing": {
            "switch": "default (KubernetesServiceResolver); broken by a Module/Mapping resolver that "
            "points at a KubernetesEndpointResolver",
            "route": ["!(spec.resolver && contains(spec.resolver, 'endpoint'))"],
            "default": True,
        },
    },
    {
        "id": "traefik",
        "plan": {
            "switch": [
                {
                    "on": "Ingress",
                    "target": "backend_service",
                    "annotations": {"traefik.ingress.kubernetes.io/service.nativelb": "true"},
                },
                {
                    "on": "IngressRoute",
                    "target": "route_nested",
                    "field": "routes",
                    "nested": "services",
                    "set": {"nativeLB": True},
                },
            ],
        },
        "name": "Traefik Proxy",
        "kind": "in-cluster",
        "ingress_class_controllers": ["traefik.io/ingress-controller"],
        "gateway_class_controllers": ["traefik.io/gateway-controller"],
        "class_names": ["traefik"],
        "annotation_prefixes": ["traefik.ingress.kubernetes.io/", "traefik.io/"],
        "route_kinds": {
            "traefik.io/IngressRoute": {
                "plan_fields": ["routes"],
                "backends": "spec.routes[].services[?!kind || kind == 'Service'][].{service: name, port: port, namespace: namespace}",
                "hosts": "[]",
            },
            "traefik.containo.us/IngressRoute": {
                "plan_fields": ["routes"],
                "backends": "spec.routes[].services[?!kind || kind == 'Service'][].{service: name, port: port, namespace: namespace}",
                "hosts": "[]",
            },
        },
        "workload_signals": [
            {"image": r"(^|/)(mirrored-library-)?traefik$", "role": "all-in-one"},
            {"labels": {"app.kubernetes.io/name": "traefik"}, "role": "all-in-one"},
        ],
        "class_args": {"ingress_class": ["--providers.kubernetesingress.ingressclass"]},
        "service_routing": {
            "switch": 'Service annotation traefik.ingress.kubernetes.io/service.nativelb: "true"; '
            "IngressRoute services[].nativeLB: true; or provider nativeLBByDefault (Traefik >= 2.10)",
            "route": [
                "length(spec.routes[].services[] || `[]`) > `0` && "
                "length(spec.routes[].services[?nativeLB != `true`][]) == `0`"
            ],
            "backend_service": [
                "metadata.annotations.\"traefik.ingress.kubernetes.io/service.nativelb\" == 'true'"
            ],
            "workload": ["contains(join(' ', args), 'nativelbbydefault=true')"],
            "default": False,
        },
    },
    {
        "id": "contour",
        "plan": {
            "switch": [],
            "host_rewrite": [
                {"on": "HTTPProxy", "target": "route_nested_header", "field": "routes"}
            ],
        },
        "name": "Contour (projectcontour)",
        "kind": "in-cluster",
        "ingress_class_controllers": ["projectcontour.io/"],
        # Contour matches Ingress classes by name (--ingress-class-name, default "contour"),
        # not by IngressClass spec.controller; its Gateway controller is projectcontour.io/gateway-controller.
        "gateway_class_controllers": ["projectcontour.io/"],
        "class_names": ["contour"],
        "annotation_prefixes": ["projectcontour.io/"],
        "route_kinds": {
            "projectcontour.io/HTTPProxy": {
                "plan_fields": ["routes"],
                "backends": "spec.routes[].services[].{service: name, port: port}",
                "hosts": "[spec.virtualhost.fqdn]",
            },
        },
        "workload_signals": [
            # The Envoy DaemonSet carries a contour "shutdown-manager" container: data plane.
            {
                "image": r"(^|/)projectcontour/contour$",
                "with_image": r"(^|/)envoy(-distroless)?$",
                "role": "data-plane",
            },
            {"image": r"(^|/)projectcontour/contour$", "role": "control-plane"},
            {"labels": {"app": "contour"}, "role": "control-plane"},
        ],
        "service_routing": {
            "switch": None,
            "route": [],
            "default": False,
        },
        "host_rewrite": {
            "route": ["spec.routes[].requestHeadersPolicy.set[?name == 'Host'][] | length(@) > `0`"]
        },
    },
    {
        "id": "envoy-gateway",
        "plan": {"switch": [{"on": "*", "target": "envoyproxy"}]},
        "name": "Envoy Gateway",
        "kind": "in-cluster",
        "gateway_class_controllers": ["gateway.envoyproxy.io/gatewayclass-controller"],
        # Helm-hook Job that generates the control plane's certificates.
        "helper_jobs": [r"certgen$"],
        "workload_signals": [
            {"labels": {"gateway.envoyproxy.io/owning-gateway-name": None}, "role": "data-plane"},
            {
                "labels": {
                    "app.kubernetes.io/managed-by": "envoy-gateway",
                    "app.kubernetes.io/component": "proxy",
                },
                "role": "data-plane",
            },
            {"image": r"(^|/)envoyproxy/gateway(-dev)?$", "role": "control-plane"},
            {"labels": {"control-plane": "envoy-gateway"}, "role": "control-plane"},
        ],
        "service_routing": {
            "switch": "EnvoyProxy spec.routingType: Service (or BackendTrafficPolicy routingType: Service)",
            "cluster": [
                "gateway.envoyproxy.io/EnvoyProxy:spec.routingType == 'Service'",
                "gateway.envoyproxy.io/BackendTrafficPolicy:spec.routingType == 'Service'",
            ],
            "default": False,
        },
    },
    {
        "id": "haproxy-ingress",
        "plan": {
            "switch": [
                {
                    "on": "Ingress",
                    "target": "route",
                    "annotations": {"haproxy-ingress.github.io/service-upstream": "true"},
                },
            ],
        },
        "name": "HAProxy Ingress (jcmoraisjr/haproxy-ingress)",
        "kind": "in-cluster",
        "ingress_class_controllers": ["haproxy-ingress.github.io/controller"],
        "class_names": ["haproxy"],
        "annotation_prefixes": ["haproxy-ingress.github.io/"],
        "workload_signals": [
            {"image": r"(^|/)jcmoraisjr/haproxy-ingress$", "role": "all-in-one"},
            {"image": r"(^|/)haproxy-ingress/haproxy-ingress$", "role": "all-in-one"},
            {"labels": {"app.kubernetes.io/name": "haproxy-ingress"}, "role": "all-in-one"},
        ],
        "class_args": {
            "ingress_class": ["--ingress-class"],
            "controller_class": ["--controller-class"],
        },
        "service_routing": {
            "switch": 'annotation haproxy-ingress.github.io/service-upstream: "true" (Ingress or Service; '
            "legacy prefix ingress.kubernetes.io/; global ConfigMap key service-upstream)",
            "route": [
                "metadata.annotations.\"haproxy-ingress.github.io/service-upstream\" == 'true'",
                "metadata.annotations.\"ingress.kubernetes.io/service-upstream\" == 'true'",
            ],
            "backend_service": [
                "metadata.annotations.\"haproxy-ingress.github.io/service-upstream\" == 'true'",
                "metadata.annotations.\"ingress.kubernetes.io/service-upstream\" == 'true'",
            ],
            "configmap": {"arg": "--configmap", "key": "service-upstream", "value": "true"},
            "default": False,
        },
    },
    {
        "id": "haproxytech",
        "plan": {
            "switch": [],
            "host_rewrite": [
                {
                    "on": "Ingress",
                    "target": "route_annotation",
                    "annotation": "haproxy.org/set-host",
                }
            ],
        },
        "name": "HAProxy Kubernetes Ingress Controller (haproxytech)",
        "kind": "in-cluster",
        "ingress_class_controllers": ["haproxy.org/ingress-controller"],
        "class_names": ["haproxy"],
        "annotation_prefixes": ["haproxy.org/"],
        "workload_signals": [
            {"image": r"(^|/)haproxytech/kubernetes-ingress$", "role": "all-in-one"},
            {"labels": {"app.kubernetes.io/name": "kubernetes-ingress"}, "role": "all-in-one"},
        ],
        "class_args": {"ingress_class": ["--ingress.class"]},
        "service_routing": {"switch": None, "route": [], "default": False},
        "host_rewrite": {"route": ['metadata.annotations."haproxy.org/set-host"']},
    },
    {
        "id": "kong",
        "plan": {
            "switch": [
                {
                    "on": "*",
                    "target": "backend_service",
                    "annotations": {"ingress.kubernetes.io/service-upstream": "true"},
                },
            ],
        },
        "name": "Kong Ingress Controller",
        "kind": "in-cluster",
        "ingress_class_controllers": ["ingress-controllers.konghq.com/kong"],
        "gateway_class_controllers": ["konghq.com/kic-gateway-controller"],
        "class_names": ["kong"],
        "annotation_prefixes": ["konghq.com/"],
        "route_kinds": {
            "configuration.konghq.com/TCPIngress": {
                "backends": "spec.rules[].backend.{service: serviceName, port: servicePort}",
                "hosts": "spec.rules[].host",
            },
            "configuration.konghq.com/UDPIngress": {
                "backends": "spec.rules[].backend.{service: serviceName, port: servicePort}",
                "hosts": "[]",
            },
        },
        "workload_signals": [
            {"image": r"(^|/)kong(-gateway|-enterprise-edition)?$", "role": "data-plane"},
            {"image": r"(^|/)kubernetes-ingress-controller$", "role": "control-plane"},
            {"labels": {"app.kubernetes.io/name": "kong"}, "role": "all-in-one"},
        ],
        "class_args": {"ingress_class": ["CONTROLLER_INGRESS_CLASS", "--ingress-class"]},
        "service_routing": {
            "switch": 'Service annotation ingress.kubernetes.io/service-upstream: "true" on each backend Service',
            "backend_service": [
                "metadata.annotations.\"ingress.kubernetes.io/service-upstream\" == 'true'"
            ],
            "default": False,
        },
        "host_rewrite": {"backend_service": ['metadata.annotations."konghq.com/host-header"']},
    },
    {
        "id": "apisix",
        "plan": {
            "switch": [
                {
                    "on": "ApisixRoute",
                    "target": "route_nested",
                    "field": "http",
                    "nested": "backends",
                    "set": {"resolveGranularity": "service"},
                },
            ],
        },
        "name": "Apache APISIX Ingress Controller",
        "kind": "in-cluster",
        # 1.x charts use apisix.apache.org/apisix-ingress, 2.x apisix.apache.org/apisix-ingress-controller.
        "ingress_class_controllers": [
            "apisix.apache.org/apisix-ingress-controller",
            "apisix.apache.org/apisix-ingress",
        ],
        "gateway_class_controllers": ["apisix.apache.org/apisix-ingress-controller"],
        "class_names": ["apisix"],
        "annotation_prefixes": ["k8s.apisix.apache.org/"],
        "route_kinds": {
            "apisix.apache.org/ApisixRoute": {
                "plan_fields": ["http"],
                "backends": "spec.http[].backends[].{service: serviceName, port: servicePort}",
                "hosts": "spec.http[].match.hosts[]",
            },
        },
        "workload_signals": [
            {"image": r"(^|/)apache/apisix$", "role": "data-plane"},
            {"image": r"(^|/)apisix-ingress-controller$", "role": "control-plane"},
            {"labels": {"app.kubernetes.io/name": "apisix"}, "role": "data-plane"},
        ],
        "service_routing": {
            "switch": "ApisixRoute http[].backends[].resolveGranularity: service",
            "route": [
                "length(spec.http[].backends[] || `[]`) > `0` && "
                "length(spec.http[].backends[?resolveGranularity != 'service'][]) == `0`"
            ],
            "default": False,
        },
    },
    {
        "id": "skipper",
        "plan": {"switch": []},
        "name": "Skipper (zalando)",
        "kind": "in-cluster",
        "class_names": ["skipper"],
        "annotation_prefixes": ["zalando.org/"],
        "route_kinds": {
            "zalando.org/RouteGroup": {
                "backends": "spec.backends[?type == 'service'].{service: serviceName, port: servicePort}",
                "hosts": "spec.hosts",
            },
        },
        "workload_signals": [
            {"image": r"(^|/)(teapot|pathfinder)/skipper(-ingress)?$", "role": "all-in-one"},
            {"image": r"(^|/)skipper$", "role": "all-in-one"},
            {"labels": {"application": "skipper-ingress"}, "role": "all-in-one"},
        ],
        "class_args": {
            "ingress_class": ["-kubernetes-ingress-class", "--kubernetes-ingress-class"]
        },
        "service_routing": {"switch": None, "route": [], "default": False},
    },
    # ---- cloud load balancers ----
    {
        "id": "gke-ingress",
        "name": "GKE Ingress (Google Cloud Application Load Balancer)",
        "kind": "cloud",
        "ingress_class_controllers": ["k8s.io/ingress-gce", "networking.gke.io/ingress-gce"],
        "class_names": ["gce", "gce-internal"],
        "annotation_prefixes": [
            "networking.gke.io/",
            "ingress.gcp.kubernetes.io/",
            "kubernetes.io/ingress.global-static-ip-name",
            "kubernetes.io/ingress.allow-http",
            "kubernetes.io/ingress.regional-static-ip-name",
        ],
        "route_kinds": {
            "networking.gke.io/MultiClusterIngress": {
                "backends": "[spec.template.spec.backend, spec.template.spec.rules[].http.paths[].backend][]"
                ".{service: serviceName, port: servicePort}",
                "hosts": "spec.template.spec.rules[].host",
            },
        },
        # A class-less Ingress whose backend Services carry these is served by GKE's controller.
        "backend_service_annotation_prefixes": [
            "cloud.google.com/backend-config",
            "beta.cloud.google.com/backend-config",
            "cloud.google.com/app-protocols",
        ],
        "health_check": {
            "where": "BackendConfig (cloud.google.com/v1) spec.healthCheck referenced by the backend "
            "Service annotation cloud.google.com/backend-config",
        },
    },
    {
        "id": "gke-gateway",
        "name": "GKE Gateway controller",
        "kind": "cloud",
        "gateway_class_controllers": ["networking.gke.io/gateway"],
        "gateway_class_prefixes": ["gke-l7-"],
        "health_check": {
            "where": "HealthCheckPolicy (networking.gke.io/v1) targeting the backend Service"
        },
    },
    {
        "id": "aws-alb",
        "name": "AWS Load Balancer Controller (ALB via Ingress)",
        "kind": "cloud",
        "ingress_class_controllers": ["ingress.k8s.aws/alb"],
        "gateway_class_controllers": ["gateway.k8s.aws/alb"],
        "class_names": ["alb"],
        "annotation_prefixes": ["alb.ingress.kubernetes.io/"],
        "workload_signals": [
            {"image": r"(^|/)(eks/)?aws-load-balancer-controller$", "role": "control-plane"},
            {"image": r"(^|/)aws-alb-ingress-controller$", "role": "control-plane"},
        ],
        "class_args": {"ingress_class": ["--ingress-class"]},
        "health_check": {
            "where": "annotations alb.ingress.kubernetes.io/healthcheck-port and healthcheck-path "
            "(on the Ingress or the backend Service)",
            "port_annotation": "alb.ingress.kubernetes.io/healthcheck-port",
            "path_annotation": "alb.ingress.kubernetes.io/healthcheck-path",
        },
    },
    {
        "id": "aws-nlb",
        "name": "AWS Network Load Balancer (Service annotations)",
        "kind": "cloud",
        # Values are compared after trimming white space (an upstream example carries "external ").
        "service_signals": [
            {"field": "spec.loadBalancerClass", "values": ["service.k8s.aws/nlb"]},
            {
                "annotation": "service.beta.kubernetes.io/aws-load-balancer-type",
                "values": ["external", "nlb", "nlb-ip"],
            },
        ],
        "gateway_class_controllers": ["gateway.k8s.aws/nlb"],
        "health_check": {
            "where": "Service annotations service.beta.kubernetes.io/aws-load-balancer-healthcheck-port / "
            "-healthcheck-path / -healthcheck-protocol",
            "port_annotation": "service.beta.kubernetes.io/aws-load-balancer-healthcheck-port",
            "path_annotation": "service.beta.kubernetes.io/aws-load-balancer-healthcheck-path",
        },
    },
    {
        "id": "azure-agic",
        "name": "Azure Application Gateway Ingress Controller",
        "kind": "cloud",
        "ingress_class_controllers": ["azure/application-gateway"],
        "class_names": ["azure/application-gateway", "azure-application-gateway"],
        "annotation_prefixes": ["appgw.ingress.kubernetes.io/"],
        "workload_signals": [
            {
                "image": r"(^|/)azure-application-gateway/kubernetes-ingress$",
                "role": "control-plane",
            },
        ],
        "health_check": {
            "where": "annotations appgw.ingress.kubernetes.io/health-probe-port and health-probe-path",
            "port_annotation": "appgw.ingress.kubernetes.io/health-probe-port",
            "path_annotation": "appgw.ingress.kubernetes.io/health-probe-path",
        },
    },
    {
        "id": "azure-lb",
        "name": "Azure Load Balancer (Service annotations)",
        "kind": "cloud",
        "service_signals": [{"annotation_prefix": "service.beta.kubernetes.io/azure-"}],
        "health_check": {
            "where": "Service annotations service.beta.kubernetes.io/azure-load-balancer-health-probe-request-path "
            "(and port_<port>_health-probe_* per port)",
            "path_annotation": "service.beta.kubernetes.io/azure-load-balancer-health-probe-request-path",
        },
    },
]

VENDOR_IDS = tuple(v["id"] for v in VENDORS)
VENDORS_BY_ID = {v["id"]: v for v in VENDORS}


def vendor(vendor_id):
    """Return the catalog entry for a vendor id (KeyError for unknown ids)."""
    return VENDORS_BY_ID[vendor_id]


def _controller_matches(pattern, value):
    if not value:
        return False
    if pattern.endswith("/"):
        return value.startswith(pattern)
    return value == pattern or value.startswith(pattern + "/")


def vendor_for_ingress_controller(controller):
    """Vendor id for an IngressClass spec.controller string, or None."""
    for entry in VENDORS:
        for pattern in entry.get("ingress_class_controllers", ()):
            if _controller_matches(pattern, controller):
                return entry["id"]
    return None


def vendor_for_gateway_controller(controller):
    """Vendor id for a GatewayClass spec.controllerName, "istio" for Istio, or None."""
    for pattern in ISTIO["gateway_class_controllers"]:
        if _controller_matches(pattern, controller):
            return "istio"
    for entry in VENDORS:
        for pattern in entry.get("gateway_class_controllers", ()):
            if _controller_matches(pattern, controller):
                return entry["id"]
    return None


def vendors_for_class_name(class_name):
    """Vendor ids whose conventional class names include class_name (may be several)."""
    if not class_name:
        return []
    return [e["id"] for e in VENDORS if class_name in e.get("class_names", ())]


def vendors_for_annotations(annotations):
    """Vendor ids whose annotation prefixes appear in the given annotations."""
    found = []
    for entry in VENDORS:
        for prefix in entry.get("annotation_prefixes", ()):
            if any(k.startswith(prefix) for k in annotations or {}):
                found.append(entry["id"])
                break
    return found


def route_kind_vendor(group_kind):
    """(vendor id, route spec) for a vendor route kind "group/Kind", or (None, None)."""
    for entry in VENDORS:
        spec = entry.get("route_kinds", {}).get(group_kind)
        if spec:
            return entry["id"], spec
    return None, None


def route_kinds():
    """All vendor route kinds as {"group/Kind": vendor id}."""
    out = {}
    for entry in VENDORS:
        for gk in entry.get("route_kinds", {}):
            out[gk] = entry["id"]
    return out


# Annotations worth reporting in results (everything the catalog, the plans and the health
# checks read). Others - configuration snippets, auth URLs - may carry credentials and are
# never copied into results.
_REPORTED_PREFIXES = (
    "kubernetes.io/ingress.",
    "cloud.google.com/",
    "beta.cloud.google.com/",
    "networking.gke.io/",
    "service.beta.kubernetes.io/",
    "alb.ingress.kubernetes.io/healthcheck-",
    "alb.ingress.kubernetes.io/target-type",
    "alb.ingress.kubernetes.io/backend-protocol",
    "appgw.ingress.kubernetes.io/health-probe-",
    "appgw.ingress.kubernetes.io/backend-protocol",
    "meta.helm.sh/",
    "argocd.argoproj.io/",
) + tuple(ISTIO["pod_annotation_prefixes"])


def _reported_keys():
    keys = {"ingressclass.kubernetes.io/is-default-class"}
    for entry in VENDORS:
        spec = entry.get("plan") or {}
        for item in list(spec.get("switch", ())) + list(spec.get("host_rewrite", ())):
            keys.update((item.get("annotations") or {}).keys())
            if item.get("annotation"):
                keys.add(item["annotation"])
        exprs = list((entry.get("service_routing") or {}).get("route", []))
        exprs += list((entry.get("host_rewrite") or {}).get("route", []))
        exprs += list((entry.get("service_routing") or {}).get("backend_service", []))
        exprs += list((entry.get("host_rewrite") or {}).get("backend_service", []))
        for expr in exprs:
            for part in expr.split('"')[1::2]:
                if "/" in part:
                    keys.add(part)
    return frozenset(keys)


_REPORTED_KEYS = _reported_keys()


def reported_annotations(annotations):
    """The annotations a result may carry: known keys and prefixes only, values redacted."""
    from ansible_collections.meshgate.istio_lb.plugins.module_utils.k8s.redact import redact

    out = {}
    for key, value in (annotations or {}).items():
        if key in _REPORTED_KEYS or key.startswith(_REPORTED_PREFIXES):
            out[key] = redact(value) if isinstance(value, str) else value
    return out
