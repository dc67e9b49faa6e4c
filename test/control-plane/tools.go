//go:build tools

// Package tools pins the real control-plane programs the e2e tier runs.
// Nothing here is compiled into the doctor: scripts/build-control-plane.sh
// builds these commands into test/control-plane/bin (git-ignored).
package tools

import (
	_ "go.etcd.io/etcd/server/v3"
	_ "helm.sh/helm/v4/cmd/helm"
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
	_ "sigs.k8s.io/kwok/cmd/kwok"
)
