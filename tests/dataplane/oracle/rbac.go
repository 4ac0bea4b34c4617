// Copyright: (c) 2026, meshgate authors
// Apache License 2.0 (see LICENSE)

package oracle

// The simulator does not run HTTP filters. For a call that names its client address
// (call.source_ip) the oracle evaluates the RBAC filters Istio generated on the matched HTTP
// connection manager (AuthorizationPolicy ALLOW/DENY rules; CUSTOM's shadow rules and
// ext_authz are not run), in filter order, with Envoy's documented RBAC semantics
// (envoy/config/rbac/v3/rbac.proto): a DENY filter denies when any policy matches, an ALLOW
// filter denies when none matches; a policy matches when any permission and any principal
// match. The client address is the connection's peer and the remote address alike (no
// X-Forwarded-For processing: a call with source_ip is taken to come straight from that
// client). A matcher outside the list below is an error naming it, never a guess.

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"

	core "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	rbac "github.com/envoyproxy/go-control-plane/envoy/config/rbac/v3"
	rbacfilter "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/rbac/v3"

	"istio.io/istio/pilot/pkg/simulation"
	"istio.io/istio/pilot/test/xdstest"
)

// rbacVerdict: "" when not evaluated (no source_ip), "allowed", or "denied by <filter/policy>".
func rbacVerdict(t *testing.T, sim *simulation.Simulation, res simulation.Result, c Call) (string, error) {
	if c.SourceIP == "" {
		return "", nil
	}
	src, err := netip.ParseAddr(c.SourceIP)
	if err != nil {
		return "", fmt.Errorf("source_ip %q: %v", c.SourceIP, err)
	}
	l := xdstest.ExtractListener(res.ListenerMatched, sim.Listeners)
	if l == nil {
		return "", nil
	}
	headers := requestHeaders(c)
	path, _ := splitPath(c.Path)
	for _, fc := range append(l.FilterChains, l.DefaultFilterChain) {
		if fc == nil || fc.Name != res.FilterChainMatched {
			continue
		}
		hcm := xdstest.ExtractHTTPConnectionManager(t, fc)
		if hcm == nil {
			return "", nil
		}
		for _, f := range hcm.GetHttpFilters() {
			if f.GetName() != "envoy.filters.http.rbac" || f.GetTypedConfig() == nil {
				continue
			}
			cfg := &rbacfilter.RBAC{}
			if err := f.GetTypedConfig().UnmarshalTo(cfg); err != nil {
				return "", fmt.Errorf("rbac filter: %v", err)
			}
			rules := cfg.GetRules()
			if rules == nil || rules.GetAction() == rbac.RBAC_LOG {
				continue
			}
			matched := ""
			for name, p := range rules.GetPolicies() {
				ok, err := policyMatches(p, src, c, path, headers)
				if err != nil {
					return "", fmt.Errorf("rbac policy %q: %v", name, err)
				}
				if ok && (matched == "" || name < matched) {
					matched = name
				}
			}
			switch rules.GetAction() {
			case rbac.RBAC_DENY:
				if matched != "" {
					return "denied by DENY policy " + matched, nil
				}
			case rbac.RBAC_ALLOW:
				if matched == "" {
					return "denied: no ALLOW policy matched", nil
				}
			}
		}
	}
	return "allowed", nil
}

func policyMatches(p *rbac.Policy, src netip.Addr, c Call, path string, h map[string]string) (bool, error) {
	perm := false
	for _, x := range p.GetPermissions() {
		ok, err := permissionMatches(x, c, path, h)
		if err != nil {
			return false, err
		}
		perm = perm || ok
	}
	if !perm {
		return false, nil
	}
	for _, x := range p.GetPrincipals() {
		ok, err := principalMatches(x, src, h)
		if err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

func permissionMatches(p *rbac.Permission, c Call, path string, h map[string]string) (bool, error) {
	switch r := p.GetRule().(type) {
	case *rbac.Permission_Any:
		return r.Any, nil
	case *rbac.Permission_AndRules:
		for _, x := range r.AndRules.GetRules() {
			ok, err := permissionMatches(x, c, path, h)
			if err != nil || !ok {
				return false, err
			}
		}
		return true, nil
	case *rbac.Permission_OrRules:
		for _, x := range r.OrRules.GetRules() {
			ok, err := permissionMatches(x, c, path, h)
			if err != nil || ok {
				return ok, err
			}
		}
		return false, nil
	case *rbac.Permission_NotRule:
		ok, err := permissionMatches(r.NotRule, c, path, h)
		return !ok, err
	case *rbac.Permission_Header:
		return headerMatches(r.Header, h)
	case *rbac.Permission_UrlPath:
		return stringMatches(r.UrlPath.GetPath(), path)
	case *rbac.Permission_DestinationPort:
		return int(r.DestinationPort) == c.Port, nil
	case *rbac.Permission_DestinationIp:
		addr, err := netip.ParseAddr(c.Address)
		if err != nil {
			return false, nil
		}
		return inCidr(r.DestinationIp, addr)
	case *rbac.Permission_RequestedServerName:
		return stringMatches(r.RequestedServerName, c.Sni)
	}
	return false, fmt.Errorf("permission %T is not evaluated", p.GetRule())
}

func principalMatches(p *rbac.Principal, src netip.Addr, h map[string]string) (bool, error) {
	switch id := p.GetIdentifier().(type) {
	case *rbac.Principal_Any:
		return id.Any, nil
	case *rbac.Principal_AndIds:
		for _, x := range id.AndIds.GetIds() {
			ok, err := principalMatches(x, src, h)
			if err != nil || !ok {
				return false, err
			}
		}
		return true, nil
	case *rbac.Principal_OrIds:
		for _, x := range id.OrIds.GetIds() {
			ok, err := principalMatches(x, src, h)
			if err != nil || ok {
				return ok, err
			}
		}
		return false, nil
	case *rbac.Principal_NotId:
		ok, err := principalMatches(id.NotId, src, h)
		return !ok, err
	case *rbac.Principal_RemoteIp:
		return inCidr(id.RemoteIp, src)
	case *rbac.Principal_DirectRemoteIp:
		return inCidr(id.DirectRemoteIp, src)
	case *rbac.Principal_SourceIp:
		return inCidr(id.SourceIp, src)
	case *rbac.Principal_Header:
		return headerMatches(id.Header, h)
	case *rbac.Principal_Authenticated_:
		// A client from outside the mesh presents no certificate to the gateway here.
		return false, nil
	}
	return false, fmt.Errorf("principal %T is not evaluated", p.GetIdentifier())
}

func inCidr(r *core.CidrRange, addr netip.Addr) (bool, error) {
	base, err := netip.ParseAddr(strings.TrimSpace(r.GetAddressPrefix()))
	if err != nil {
		return false, fmt.Errorf("cidr %q: %v", r.GetAddressPrefix(), err)
	}
	bits := base.BitLen()
	if r.GetPrefixLen() != nil {
		bits = int(r.GetPrefixLen().GetValue())
	}
	pfx, err := base.Prefix(bits)
	if err != nil {
		return false, err
	}
	return pfx.Contains(addr), nil
}
