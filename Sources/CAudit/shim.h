// The C surface of libaudit (libaudit-dev) that callguard uses, plus inline
// wrappers for what Swift cannot import directly (netlink macros).
#ifndef CALLGUARD_CAUDIT_SHIM_H
#define CALLGUARD_CAUDIT_SHIM_H

#include <libaudit.h>
#include <linux/audit.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/eventfd.h>
#include <poll.h>
#include <unistd.h>
#include <stdint.h>
#include <stddef.h>

/// NLMSG_ALIGN for Swift.
static inline uint32_t CAudit_nlmsg_align(uint32_t len) { return NLMSG_ALIGN(len); }
/// NLMSG_HDRLEN for Swift.
static inline uint32_t CAudit_nlmsg_hdrlen(void) { return NLMSG_HDRLEN; }
/// NLMSG_LENGTH for Swift.
static inline uint32_t CAudit_nlmsg_length(uint32_t len) { return NLMSG_LENGTH(len); }

// ---- libaudit rule-building state -------------------------------------------
// libaudit keeps per-rule parsing state in globals that auditctl resets before
// each rule (arch chosen, whether a syscall or arch was added...). They are
// exported but not declared in libaudit.h.
extern int _audit_permadded;
extern int _audit_archadded;
extern int _audit_syscalladded;
extern int _audit_exeadded;
extern int _audit_filterfsadded;
extern unsigned int _audit_elf;

/// Resets libaudit's per-rule globals, as auditctl does before each rule.
static inline void CAudit_reset_rule_state(void) {
    _audit_permadded = 0;
    _audit_archadded = 0;
    _audit_syscalladded = 0;
    _audit_exeadded = 0;
    _audit_filterfsadded = 0;
    _audit_elf = 0;
}
/// Marks that a syscall was added to the rule being built (auditctl does this after -S).
static inline void CAudit_mark_syscall_added(void) { _audit_syscalladded = 1; }

/// The string buffer behind a rule's fields (a flexible array member Swift cannot see).
static inline char *CAudit_rule_buf(struct audit_rule_data *rule) { return rule->buf; }
/// The size of a rule including its string buffer.
static inline size_t CAudit_rule_size(const struct audit_rule_data *rule) {
    return sizeof(struct audit_rule_data) + rule->buflen;
}

// ---- recvmmsg without _GNU_SOURCE -------------------------------------------
/// Mirror of `struct mmsghdr` (glibc only declares it under _GNU_SOURCE).
struct CAudit_mmsghdr {
    struct msghdr msg_hdr;
    unsigned int msg_len;
};
/// recvmmsg(2) through syscall(2), without a timeout.
static inline int CAudit_recvmmsg(int fd, struct CAudit_mmsghdr *vec, unsigned int vlen, int flags) {
    return (int)syscall(SYS_recvmmsg, fd, vec, vlen, flags, (void *)0);
}

#endif
