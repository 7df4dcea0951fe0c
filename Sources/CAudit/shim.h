// The C surface of libaudit (libaudit-dev) that callguard uses, plus inline
// wrappers for what Swift cannot import directly (netlink macros).
#ifndef CALLGUARD_CAUDIT_SHIM_H
#define CALLGUARD_CAUDIT_SHIM_H

#include <libaudit.h>
#include <linux/audit.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <stdint.h>

/// NLMSG_ALIGN for Swift.
static inline uint32_t CAudit_nlmsg_align(uint32_t len) { return NLMSG_ALIGN(len); }
/// NLMSG_HDRLEN for Swift.
static inline uint32_t CAudit_nlmsg_hdrlen(void) { return NLMSG_HDRLEN; }
/// NLMSG_LENGTH for Swift.
static inline uint32_t CAudit_nlmsg_length(uint32_t len) { return NLMSG_LENGTH(len); }

#endif
