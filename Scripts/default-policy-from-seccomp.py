#!/usr/bin/env python3
"""Writes callguard's default policy (policies/default.yaml) from a container
runtime's default seccomp profile (podman's /usr/share/containers/seccomp.json).

The allowlist is every name the profile allows with SCMP_ACT_ALLOW for
x86_64, i386 or aarch64, judged as PolicyKit's importer judges conditional
entries: `args` conditions count as allowed, an unconditional entry with
another action removes its names, `includes.caps`/`excludes.caps`
against podman's default capability set, `minKernel` as met. Names that
libaudit (ausyscall) knows on none of these arches are dropped: they belong
to other architectures. PolicyKitTests.ShippedPoliciesTests checks that the
result matches the importer on x86_64.

usage: Scripts/default-policy-from-seccomp.py [PROFILE] > policies/default.yaml
"""
import json
import subprocess
import sys

ARCHES = {"x86_64": ["amd64"], "i386": ["x86", "386", "i386"], "aarch64": ["arm64", "aarch64"]}
SCMP = {"SCMP_ARCH_X86_64": "x86_64", "SCMP_ARCH_X86": "i386", "SCMP_ARCH_AARCH64": "aarch64"}
CAPS = {"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_NET_BIND_SERVICE",
        "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP", "CAP_SETUID", "CAP_SYS_CHROOT"}
ALIASES = {"pread64": "pread", "pwrite64": "pwrite", "kexec_load": "sys_kexec_load",
           "sched_rr_get_interval_time64": "sched_rr_get_interval64", "fstat": "newfstat"}


def table(arch):
    out = subprocess.run(["ausyscall", "--dump", arch], capture_output=True, text=True, check=True).stdout
    return {line.split("\t")[1] for line in out.splitlines()[1:] if "\t" in line}


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/containers/seccomp.json"
    profile = json.load(open(path))
    listed = set()
    for a in profile.get("architectures") or []:
        listed.add(SCMP.get(a))
    for m in profile.get("archMap") or []:
        listed.add(SCMP.get(m.get("architecture")))
        listed.update(SCMP.get(s) for s in m.get("subArchitectures") or [])
    arches = [a for a in ARCHES if not listed or a in listed]
    known = {a: table(a) for a in arches}
    allowed = set()
    removed = set()
    for entry in profile.get("syscalls") or []:
        allows = entry.get("action") in ("SCMP_ACT_ALLOW", "SCMP_ACT_LOG")
        if not allows and entry.get("args"):
            continue
        inc = entry.get("includes") or {}
        exc = entry.get("excludes") or {}
        if not set(inc.get("caps") or []) <= CAPS or set(exc.get("caps") or []) & CAPS:
            continue
        names = list(entry.get("names") or []) + ([entry["name"]] if entry.get("name") else [])
        for arch in arches:
            go = ARCHES[arch]
            if inc.get("arches") and not set(inc["arches"]) & set(go):
                continue
            if set(exc.get("arches") or []) & set(go):
                continue
            for n in names:
                if n in known[arch] or ALIASES.get(n) in known[arch]:
                    (allowed if allows else removed).add((arch, n))
    allowed = {n for (a, n) in allowed - removed}
    print("# The default policy: containers that no other policy names fall to it.")
    print("#")
    print("# Made by Scripts/default-policy-from-seccomp.py from podman's default seccomp")
    print("# profile (%s, containers-common), keeping every syscall it allows" % path)
    print("# on x86_64, i386 or aarch64 with podman's default capabilities. It flags")
    print("# what the runtime's own seccomp filter would refuse; narrow it per image")
    print("# with more specific policies. Regenerate rather than edit by hand.")
    print("apiVersion: callguard.dev/v1")
    print("kind: SyscallPolicy")
    print("metadata:")
    print("  name: default")
    print("  description: podman's default seccomp allowlist")
    print("spec:")
    print('  images: ["*"]')
    print("  severity: medium")
    print("  allow:")
    for n in sorted(allowed):
        print("    - " + n)


main()
