// Copyright: (c) 2026, meshgate authors
// Apache License 2.0 (see LICENSE)

// Package oracle is the data-path oracle: it feeds a folder of Kubernetes and Istio objects to
// Istio's own config generator (pilot/test/xds.FakeDiscoveryServer, the code istiod runs) and
// walks each hop of a request through the Envoy configuration it generates with Istio's own
// traffic simulator (pilot/pkg/simulation). Nothing here decides routing or mTLS: this file
// only turns objects into Istio's inputs and the simulator's results into JSON.
//
// It is built into the Istio module's source tree (tests/dataplane/build-oracle.sh), so it
// compiles against exactly the Istio sources and requirements istiod is built from.
//
//	dataplane-oracle.test -test.run TestOracle -src DIR -hops HOPS.json -out OUT.json
package oracle

import (
	"encoding/json"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	cluster "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	core "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	endpoint "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	tlsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	"sigs.k8s.io/yaml"

	"istio.io/istio/pilot/pkg/model"
	"istio.io/istio/pilot/pkg/simulation"
	"istio.io/istio/pilot/test/xds"
	"istio.io/istio/pilot/test/xdstest"
	"istio.io/istio/pkg/config"
	"istio.io/istio/pkg/config/mesh"
	"istio.io/istio/pkg/config/schema/collections"
	"istio.io/istio/pkg/log"
)

var (
	srcDir  = flag.String("src", "", "folder of Kubernetes/Istio objects (YAML or JSON, Lists expanded)")
	hopFile = flag.String("hops", "", "JSON list of hops to check (default: SRC/hops.json)")
	outFile = flag.String("out", "", "where to write the JSON answer (default: stdout)")
)

// Kinds handed to Istio's Kubernetes registry; everything else that is not Istio or Gateway
// API config (Deployments, vendor CRDs...) plays no part in config generation and is skipped.
var registryKinds = map[string]bool{
	"Namespace": true, "Service": true, "Pod": true, "EndpointSlice": true, "Node": true,
	"Secret": true, "ServiceAccount": true,
}

// Config groups Istio reads through its config store rather than its Kubernetes registry.
var configGroups = []string{"istio.io", "gateway.networking.k8s.io", "gateway.networking.x-k8s.io"}

// Hop is one request to check, as the load balancer (or gateway) makes it.
type Hop struct {
	Name   string `json:"name"`
	Caller Caller `json:"caller"`
	Call   Call   `json:"call"`
}

// Caller is the workload that sends the request: a Pod of the folder (namespace/name). Proxy
// says whether Istio's proxy handles its outbound traffic: "sidecar" (iptables send it to
// 15001), "router" (an Istio gateway: its listeners are the entry point), "none" (no proxy:
// the request leaves as the application made it).
type Caller struct {
	Pod   string `json:"pod"`
	Proxy string `json:"proxy"`
}

// Call is what the caller sends: destination address and port, Host header, protocol, TLS.
type Call struct {
	Address  string `json:"address"`
	Port     int    `json:"port"`
	Host     string `json:"host"`
	Path     string `json:"path,omitempty"`
	Protocol string `json:"protocol"`
	TLS      string `json:"tls"`
	Sni      string `json:"sni,omitempty"`
	// Request headers (cookies as a "cookie" header) and method, matched by rematch (routes.go).
	Headers map[string]string `json:"headers,omitempty"`
	Method  string            `json:"method,omitempty"`
	// The client's address as the caller's proxy sees it: the RBAC filters are evaluated for
	// it (rbac.go); without it they are not.
	SourceIP string `json:"source_ip,omitempty"`
}

// Answer is the oracle's verdict on one hop.
type Answer struct {
	Name   string `json:"name"`
	Caller Caller `json:"caller"`
	Call   Call   `json:"call"`
	// What the caller's proxy matched (empty for a caller without a proxy).
	Listener          string `json:"listener"`
	FilterChain       string `json:"filter_chain"`
	RouteConfig       string `json:"route_config"`
	VirtualHost       string `json:"virtual_host"`
	Route             string `json:"route"`
	Cluster           string `json:"cluster"`
	Error             string `json:"error"`
	XffNumTrustedHops *int   `json:"xff_num_trusted_hops"`
	// The route Envoy's matching picks among the simulator's virtual host's routes with the
	// whole request (path, headers, query; routes.go), and what it does. Route and Cluster
	// above are that route's (the simulator's own path-only pick is SimulatorRoute).
	SimulatorRoute string  `json:"simulator_route"`
	Action         *Action `json:"action"`
	// The gateway's RBAC filters for call.source_ip: "" (not evaluated), "allowed", or
	// "denied ..." (Envoy answers 403 before any route action runs).
	RBAC string `json:"rbac"`
	// Where the request lands, one entry per endpoint the cluster (or kube-proxy) may pick.
	Endpoints []Landing `json:"endpoints"`
	// True when every endpoint is reached with Istio mTLS and accepts the request.
	Reaches bool `json:"reaches"`
	MTLS    bool `json:"mtls"`
}

// Landing is one endpoint of the hop and its inbound verdict.
type Landing struct {
	Address string `json:"address"`
	Port    int    `json:"port"`
	Pod     string `json:"pod"`
	Sidecar bool   `json:"sidecar"`
	// "mtls" when the caller's cluster originates Istio mTLS to this endpoint, else "plaintext".
	TLS string `json:"tls"`
	// The callee's inbound listener as Istio generated it (sidecar callees only).
	Listener    string `json:"listener"`
	FilterChain string `json:"filter_chain"`
	Cluster     string `json:"cluster"`
	Error       string `json:"error"`
	Accepted    bool   `json:"accepted"`
	// The caller's cluster that leads here (a weighted route has several).
	Via string `json:"via"`
}

type object = map[string]any

type state struct {
	kube, config []string
	mesh         string
	pods         map[string]object // namespace/name
	podsByIP     map[string]string
	services     map[string]object // namespace/name
	slices       []object
}

func TestOracle(t *testing.T) {
	if *srcDir == "" {
		t.Skip("no -src folder given: this test runs only as the oracle (make dataplane SRC=...)")
	}
	for _, s := range log.Scopes() {
		s.SetOutputLevel(log.NoneLevel) // the answer is the JSON; Istio's own logs are noise
	}
	st, err := readFolder(*srcDir)
	if err != nil {
		t.Fatal(err)
	}
	hops, err := readHops(*hopFile, *srcDir)
	if err != nil {
		t.Fatal(err)
	}
	opts := xds.FakeOptions{
		KubernetesObjectString: strings.Join(st.kube, "\n---\n"),
		ConfigString:           strings.Join(st.config, "\n---\n"),
	}
	if st.mesh != "" {
		m, err := mesh.ApplyMeshConfigDefaults(st.mesh)
		if err != nil {
			t.Fatalf("mesh config (ConfigMap istio, key mesh): %v", err)
		}
		opts.MeshConfig = m
	}
	s := xds.NewFakeDiscoveryServer(t, opts)
	answers := make([]Answer, 0, len(hops))
	for _, h := range hops {
		a, err := st.run(t, s, h)
		if err != nil {
			t.Fatalf("hop %q: %v", h.Name, err)
		}
		answers = append(answers, a)
	}
	out, _ := json.MarshalIndent(answers, "", "  ")
	if *outFile == "" {
		fmt.Println(string(out))
		return
	}
	if err := os.WriteFile(*outFile, append(out, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readHops(path, dir string) ([]Hop, error) {
	if path == "" {
		path = filepath.Join(dir, "hops.json")
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("hops: %v", err)
	}
	var hops []Hop
	if err := json.Unmarshal(raw, &hops); err != nil {
		return nil, fmt.Errorf("hops %s: %v", path, err)
	}
	return hops, nil
}

func readFolder(dir string) (*state, error) {
	st := &state{pods: map[string]object{}, podsByIP: map[string]string{}, services: map[string]object{}}
	var files []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		ext := strings.ToLower(filepath.Ext(p))
		if !d.IsDir() && filepath.Base(p) != "hops.json" && (ext == ".yaml" || ext == ".yml" || ext == ".json") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		for _, doc := range strings.Split(string(raw), "\n---") {
			if strings.TrimSpace(doc) == "" {
				continue
			}
			var o object
			if err := yaml.Unmarshal([]byte(doc), &o); err != nil {
				return nil, fmt.Errorf("%s: %v", f, err)
			}
			if err := st.add(o); err != nil {
				return nil, fmt.Errorf("%s: %v", f, err)
			}
		}
	}
	return st, nil
}

func (st *state) add(o object) error {
	if o == nil {
		return nil
	}
	kind, _ := o["kind"].(string)
	api, _ := o["apiVersion"].(string)
	if strings.HasSuffix(kind, "List") {
		items, _ := o["items"].([]any)
		for _, it := range items {
			if m, ok := it.(object); ok {
				if err := st.add(m); err != nil {
					return err
				}
			}
		}
		return nil
	}
	meta, _ := o["metadata"].(object)
	if meta != nil {
		delete(meta, "managedFields") // noise the registry does not read
	}
	key := namespaced(o)
	group := strings.SplitN(api, "/", 2)[0]
	switch {
	case kind == "ConfigMap" && key == "istio-system/istio":
		data, _ := o["data"].(object)
		st.mesh, _ = data["mesh"].(string)
		return nil
	case isGatewayAPI(group) && strings.Contains(api, "/"):
		// Istio's Gateway API controller reads these from the Kubernetes client (krt), as
		// istiod does from the API server, not from the config store. It watches one version
		// per kind (ReferenceGrant: v1beta1), while the API server serves an object at each of
		// its CRD's served versions (Gateway API v1.6 serves ReferenceGrant as v1 and v1beta1,
		// one schema): the object is handed over at the version Istio watches, as the API
		// server would serve it.
		if sch, ok := collections.All.FindByGroupKind(config.GroupVersionKind{Group: group, Kind: kind}); ok {
			o["apiVersion"] = sch.APIVersion()
		}
		return st.keep(&st.kube, o)
	case isConfigGroup(group) && strings.Contains(api, "/"):
		return st.keep(&st.config, o)
	case !registryKinds[kind]:
		return nil
	case kind == "Pod":
		st.pods[key] = o
		status, _ := o["status"].(object)
		if ip, _ := status["podIP"].(string); ip != "" {
			st.podsByIP[ip] = key
		}
	case kind == "Service":
		st.services[key] = o
	case kind == "EndpointSlice":
		st.slices = append(st.slices, o)
	}
	return st.keep(&st.kube, o)
}

func (st *state) keep(into *[]string, o object) error {
	b, err := yaml.Marshal(o)
	if err != nil {
		return err
	}
	*into = append(*into, string(b))
	return nil
}

func isGatewayAPI(group string) bool {
	return group == "gateway.networking.k8s.io" || group == "gateway.networking.x-k8s.io"
}

func isConfigGroup(group string) bool {
	for _, g := range configGroups {
		if group == g || strings.HasSuffix(group, "."+g) {
			return true
		}
	}
	return false
}

func namespaced(o object) string {
	meta, _ := o["metadata"].(object)
	ns, _ := meta["namespace"].(string)
	name, _ := meta["name"].(string)
	if ns == "" {
		return name
	}
	return ns + "/" + name
}

func stringMap(v any) map[string]string {
	out := map[string]string{}
	m, _ := v.(object)
	for k, val := range m {
		if s, ok := val.(string); ok {
			out[k] = s
		}
	}
	return out
}

// hasSidecar: the injector's status annotation, or an istio-proxy container (native sidecars
// are init containers).
func hasSidecar(pod object) bool {
	meta, _ := pod["metadata"].(object)
	if _, ok := stringMap(meta["annotations"])["sidecar.istio.io/status"]; ok {
		return true
	}
	spec, _ := pod["spec"].(object)
	for _, field := range []string{"containers", "initContainers"} {
		list, _ := spec[field].([]any)
		for _, c := range list {
			if m, _ := c.(object); m != nil && m["name"] == "istio-proxy" {
				return true
			}
		}
	}
	return false
}

// proxyFor builds the model.Proxy Istio would see for a Pod of the folder.
func (st *state) proxyFor(s *xds.FakeDiscoveryServer, key string, typ model.NodeType) (*model.Proxy, error) {
	pod, ok := st.pods[key]
	if !ok {
		return nil, fmt.Errorf("Pod %s is not in the folder", key)
	}
	meta, _ := pod["metadata"].(object)
	status, _ := pod["status"].(object)
	ip, _ := status["podIP"].(string)
	if ip == "" {
		return nil, fmt.Errorf("Pod %s has no status.podIP (give it the IP a kubelet would)", key)
	}
	ns, _ := meta["namespace"].(string)
	name, _ := meta["name"].(string)
	labels := stringMap(meta["labels"])
	// The agent merges the pod's proxy.istio.io/config over the mesh's defaultConfig and
	// reports it in its node metadata (gatewayTopology.numTrustedProxies is read from there).
	pc, err := mesh.ApplyProxyConfig(stringMap(meta["annotations"])["proxy.istio.io/config"], s.PushContext().Mesh)
	if err != nil {
		return nil, fmt.Errorf("Pod %s: annotation proxy.istio.io/config: %v", key, err)
	}
	return s.SetupProxy(&model.Proxy{
		Type:            typ,
		ID:              name + "." + ns,
		IPAddresses:     []string{ip},
		ConfigNamespace: ns,
		Labels:          labels,
		Metadata: &model.NodeMetadata{
			Namespace:    ns,
			Labels:       labels,
			IstioVersion: "1.30.0",
			ProxyConfig:  (*model.NodeMetaProxyConfig)(pc.DefaultConfig),
		},
	}), nil
}

func (st *state) run(t *testing.T, s *xds.FakeDiscoveryServer, h Hop) (Answer, error) {
	a := Answer{Name: h.Name, Caller: h.Caller, Call: h.Call, Endpoints: []Landing{}}
	switch h.Caller.Proxy {
	case "none":
		a.Endpoints = st.direct(h.Call)
	case "sidecar", "router":
		typ, mode := model.SidecarProxy, simulation.CallModeOutbound
		if h.Caller.Proxy == "router" {
			typ, mode = model.Router, simulation.CallModeGateway
		}
		proxy, err := st.proxyFor(s, h.Caller.Pod, typ)
		if err != nil {
			return a, err
		}
		sim := simulation.NewSimulation(t, s, proxy)
		res := sim.Run(simulation.Call{
			// Envoy matches virtual host domains case-insensitively (it lower-cases the Host
			// for the lookup); the simulator compares strings, so it gets the lower-cased Host.
			Address: h.Call.Address, Port: h.Call.Port, Path: h.Call.Path, HostHeader: strings.ToLower(h.Call.Host),
			Protocol: simulation.Protocol(h.Call.Protocol), TLS: simulation.TLSMode(h.Call.TLS),
			Sni: h.Call.Sni, CallMode: mode,
		})
		a.Listener, a.FilterChain = res.ListenerMatched, res.FilterChainMatched
		a.RouteConfig, a.VirtualHost = res.RouteConfigMatched, res.VirtualHostMatched
		a.Route, a.Cluster = res.RouteMatched, res.ClusterMatched
		a.SimulatorRoute = res.RouteMatched
		a.XffNumTrustedHops = trustedHops(t, sim, res)
		if res.Error != nil && res.Error != simulation.ErrNoRoute {
			a.Error = res.Error.Error()
			break
		}
		clusters := []string{res.ClusterMatched}
		if res.VirtualHostMatched != "" {
			r, err := rematch(sim, res, h.Call)
			if err != nil {
				return a, err
			}
			if r == nil {
				a.Route, a.Cluster, a.Error = "", "", simulation.ErrNoRoute.Error()
				break
			}
			act := actionOf(r)
			a.Route, a.Action, a.Cluster, clusters = r.GetName(), &act, "", nil
			verdict, err := rbacVerdict(t, sim, res, h.Call)
			if err != nil {
				return a, err
			}
			if a.RBAC = verdict; strings.HasPrefix(verdict, "denied") {
				break
			}
			for _, c := range act.Clusters {
				clusters = append(clusters, c.Name)
			}
			if len(clusters) == 1 {
				a.Cluster = clusters[0]
			}
		} else if res.Error != nil {
			a.Error = res.Error.Error()
			break
		}
		for _, c := range clusters {
			for _, l := range st.landings(s, sim, proxy, h.Call, c) {
				l.Via = c
				a.Endpoints = append(a.Endpoints, l)
			}
		}
	default:
		return a, fmt.Errorf("caller.proxy must be sidecar, router or none, not %q", h.Caller.Proxy)
	}
	for i := range a.Endpoints {
		st.inbound(t, s, h.Call, &a.Endpoints[i])
	}
	a.Reaches = a.Error == "" && len(a.Endpoints) > 0 && (a.Action == nil || a.Action.Kind == "route")
	a.MTLS = a.Reaches
	for _, e := range a.Endpoints {
		a.Reaches = a.Reaches && e.Accepted
		a.MTLS = a.MTLS && e.TLS == "mtls"
	}
	a.MTLS = a.MTLS && a.Reaches
	return a, nil
}

// trustedHops reads xff_num_trusted_hops from the HTTP connection manager the call matched.
func trustedHops(t *testing.T, sim *simulation.Simulation, res simulation.Result) *int {
	l := xdstest.ExtractListener(res.ListenerMatched, sim.Listeners)
	if l == nil {
		return nil
	}
	// The simulator reports the chain by name; a gateway's plain HTTP chain has none.
	for _, fc := range append(l.FilterChains, l.DefaultFilterChain) {
		if fc == nil || fc.Name != res.FilterChainMatched {
			continue
		}
		if hcm := xdstest.ExtractHTTPConnectionManager(t, fc); hcm != nil {
			n := int(hcm.XffNumTrustedHops)
			return &n
		}
	}
	return nil
}

// direct: where a request sent without a proxy lands. To a Service's cluster IP, kube-proxy
// picks one of its endpoints on the target port; to anything else, the address itself.
func (st *state) direct(c Call) []Landing {
	if eps := st.serviceEndpoints(c.Address, c.Port); eps != nil {
		return eps
	}
	return []Landing{st.landing(c.Address, c.Port, "plaintext")}
}

// landings: the endpoints of the cluster the caller's proxy chose, and whether it originates
// Istio mTLS to each (the cluster's transport socket for endpoints labelled tlsMode=istio).
func (st *state) landings(s *xds.FakeDiscoveryServer, sim *simulation.Simulation, p *model.Proxy,
	c Call, clusterName string,
) []Landing {
	switch clusterName {
	case "PassthroughCluster", "InboundPassthroughCluster":
		// Original destination in plain text; a cluster IP is then DNATed by kube-proxy.
		return st.direct(Call{Address: c.Address, Port: c.Port})
	case "BlackHoleCluster", "":
		return []Landing{}
	}
	cl := xdstest.ExtractCluster(clusterName, sim.Clusters)
	var out []Landing
	for _, cla := range s.Endpoints(p) {
		if cla.ClusterName != clusterName {
			continue
		}
		for _, loc := range cla.Endpoints {
			for _, lb := range loc.LbEndpoints {
				sa := lb.GetEndpoint().GetAddress().GetSocketAddress()
				tls := "plaintext"
				if originatesMTLS(cl, lb) {
					tls = "mtls"
				}
				out = append(out, st.landing(sa.GetAddress(), int(sa.GetPortValue()), tls))
			}
		}
	}
	return out
}

func originatesMTLS(cl *cluster.Cluster, lb *endpoint.LbEndpoint) bool {
	if cl == nil {
		return false
	}
	if ts := cl.GetTransportSocket(); ts != nil {
		// A DestinationRule's ISTIO_MUTUAL sets the socket on the whole cluster.
		return isIstioMTLS(ts)
	}
	mode := ""
	if md := lb.GetMetadata().GetFilterMetadata()["envoy.transport_socket_match"]; md != nil {
		mode = md.GetFields()["tlsMode"].GetStringValue()
	}
	for _, m := range cl.GetTransportSocketMatches() {
		want := m.GetMatch().GetFields()["tlsMode"].GetStringValue()
		if want == "istio" && mode == "istio" && isIstioMTLS(m.GetTransportSocket()) {
			return true
		}
	}
	return false
}

// isIstioMTLS: a TLS socket presenting the workload's Istio certificate (SDS secret "default")
// and validating the peer against Istio's root (SDS "ROOTCA"), i.e. what ISTIO_MUTUAL and
// auto-mTLS generate, as opposed to a DestinationRule's SIMPLE or MUTUAL TLS with other certs.
func isIstioMTLS(ts *core.TransportSocket) bool {
	if ts == nil || ts.GetTypedConfig() == nil {
		return false
	}
	ctx := &tlsv3.UpstreamTlsContext{}
	if err := ts.GetTypedConfig().UnmarshalTo(ctx); err != nil {
		return false
	}
	common := ctx.GetCommonTlsContext()
	cert := false
	for _, sds := range common.GetTlsCertificateSdsSecretConfigs() {
		cert = cert || sds.GetName() == "default"
	}
	root := common.GetCombinedValidationContext().GetValidationContextSdsSecretConfig().GetName()
	return cert && root == "ROOTCA"
}

func (st *state) landing(addr string, port int, tls string) Landing {
	l := Landing{Address: addr, Port: port, TLS: tls}
	if key, ok := st.podsByIP[addr]; ok {
		l.Pod = key
		l.Sidecar = hasSidecar(st.pods[key])
	}
	return l
}

// serviceEndpoints: the ready endpoints behind a Service's cluster IP and port, from the
// folder's EndpointSlices (nil when the address is no cluster IP).
func (st *state) serviceEndpoints(addr string, port int) []Landing {
	if _, err := netip.ParseAddr(addr); err != nil {
		return nil
	}
	for key, svc := range st.services {
		spec, _ := svc["spec"].(object)
		if ip, _ := spec["clusterIP"].(string); ip != addr {
			continue
		}
		portName, ok := servicePortName(spec, port)
		if !ok {
			return []Landing{}
		}
		return st.sliceEndpoints(key, portName)
	}
	return nil
}

func servicePortName(spec object, port int) (string, bool) {
	ports, _ := spec["ports"].([]any)
	for _, p := range ports {
		m, _ := p.(object)
		if n, _ := m["port"].(float64); int(n) == port {
			name, _ := m["name"].(string)
			return name, true
		}
	}
	return "", false
}

func (st *state) sliceEndpoints(service, portName string) []Landing {
	out := []Landing{}
	for _, sl := range st.slices {
		meta, _ := sl["metadata"].(object)
		labels := stringMap(meta["labels"])
		ns, _ := meta["namespace"].(string)
		if ns+"/"+labels["kubernetes.io/service-name"] != service {
			continue
		}
		target := 0
		ports, _ := sl["ports"].([]any)
		for _, p := range ports {
			m, _ := p.(object)
			if name, _ := m["name"].(string); name == portName {
				n, _ := m["port"].(float64)
				target = int(n)
			}
		}
		eps, _ := sl["endpoints"].([]any)
		for _, e := range eps {
			m, _ := e.(object)
			if cond, _ := m["conditions"].(object); cond != nil && cond["ready"] == false {
				continue
			}
			addrs, _ := m["addresses"].([]any)
			for _, a := range addrs {
				if s, ok := a.(string); ok {
					out = append(out, st.landing(s, target, "plaintext"))
				}
			}
		}
	}
	return out
}

// inbound: the callee's own sidecar decides whether it accepts what arrives (STRICT rejects
// plain text: no filter chain matches). A callee without a sidecar takes whatever arrives.
func (st *state) inbound(t *testing.T, s *xds.FakeDiscoveryServer, c Call, l *Landing) {
	if l.Pod == "" || !l.Sidecar {
		l.Accepted = l.TLS == "plaintext"
		if !l.Accepted {
			l.Error = "mTLS sent to a workload without a sidecar"
		}
		return
	}
	proxy, err := st.proxyFor(s, l.Pod, model.SidecarProxy)
	if err != nil {
		l.Error = err.Error()
		return
	}
	call := simulation.Call{
		Address: l.Address, Port: l.Port, Path: c.Path, HostHeader: c.Host,
		Protocol: simulation.Protocol(c.Protocol), CallMode: simulation.CallModeInbound,
		TLS: simulation.Plaintext,
	}
	if l.TLS == "mtls" {
		call.TLS, call.Alpn = simulation.MTLS, "istio"
	}
	res := simulation.NewSimulation(t, s, proxy).Run(call)
	l.Listener, l.FilterChain, l.Cluster = res.ListenerMatched, res.FilterChainMatched, res.ClusterMatched
	if res.Error != nil {
		l.Error = res.Error.Error()
		return
	}
	l.Accepted = true
}
