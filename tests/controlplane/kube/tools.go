//go:build tools

// Package tools pins the Kubernetes commands this wrapper module builds, so `go mod tidy`
// keeps k8s.io/kubernetes in the build list.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
