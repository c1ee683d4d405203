/**
 * Kubernetes for herd: {@link dev.herd.kube.KubeObjects} turns nodes into the Pods, ConfigMaps,
 * Secrets and Services a cluster runs, and {@link dev.herd.kube.KubernetesEngine} is an
 * {@link dev.herd.engine.Engine} on the Kubernetes API (fabric8 kubernetes-client).
 */
package dev.herd.kube;
