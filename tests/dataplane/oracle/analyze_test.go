// Copyright: (c) 2026, meshgate authors
// Apache License 2.0 (see LICENSE)

package oracle

// TestAnalyze is `istioctl analyze` on files, without a cluster: the same code istioctl runs
// (istioctl/pkg/analyze: local.NewIstiodAnalyzer with analyzers.AllCombined(), the default
// resources Istio provides, the files as a Kubernetes source). AllCombined includes the schema
// analyzers, i.e. the validation istiod's webhook applies to each Istio object.
//
//	dataplane-oracle.test -test.run '^TestAnalyze$' -src DIR -out OUT.json

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"istio.io/istio/pkg/config/analysis/analyzers"
	"istio.io/istio/pkg/config/analysis/local"
	"istio.io/istio/pkg/config/resource"
	"istio.io/istio/pkg/log"
)

// Finding is one analysis message.
type Finding struct {
	Code    string `json:"code"`
	Level   string `json:"level"`
	Origin  string `json:"origin"`
	Message string `json:"message"`
}

func TestAnalyze(t *testing.T) {
	if *srcDir == "" {
		t.Skip("no -src folder given: this test runs only on request")
	}
	for _, s := range log.Scopes() {
		s.SetOutputLevel(log.NoneLevel)
	}
	var readers []local.ReaderSource
	err := filepath.WalkDir(*srcDir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		ext := strings.ToLower(filepath.Ext(p))
		if d.IsDir() || (ext != ".yaml" && ext != ".yml") {
			return nil
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		readers = append(readers, local.ReaderSource{Name: p, Reader: f})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// All namespaces (istioctl analyze -A); Istio's own namespace istio-system.
	sa := local.NewIstiodAnalyzer(analyzers.AllCombined(), "", resource.Namespace("istio-system"), nil)
	if err := sa.AddDefaultResources(); err != nil {
		t.Fatal(err)
	}
	if err := sa.AddReaderKubeSource(readers); err != nil {
		t.Fatalf("adding files: %v", err)
	}
	res, err := sa.Analyze(make(chan struct{}))
	if err != nil {
		t.Fatal(err)
	}
	out := []Finding{}
	for _, m := range res.Messages {
		origin := ""
		if m.Resource != nil {
			origin = m.Resource.Origin.FriendlyName()
		}
		out = append(out, Finding{
			Code: m.Type.Code(), Level: m.Type.Level().String(), Origin: origin,
			Message: fmt.Sprintf(m.Type.Template(), m.Parameters...),
		})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Origin+out[i].Code < out[j].Origin+out[j].Code })
	b, _ := json.MarshalIndent(out, "", "  ")
	if *outFile == "" {
		fmt.Println(string(b))
		return
	}
	if err := os.WriteFile(*outFile, append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}
