package org.spack.gantry.store;

/** One Kubernetes node a job ran on: a row of {@code nodes} without its id. */
public record NodeRow(String uuid, String hostname, double cores, double mem, String arch, String os, String instanceType) {}
