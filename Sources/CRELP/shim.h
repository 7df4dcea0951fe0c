// The C surface of librelp (librelp-dev) that SinkKit's RELP syslog transport
// uses as a client: engine, client, TLS settings, error callbacks.
#ifndef CALLGUARD_CRELP_SHIM_H
#define CALLGUARD_CRELP_SHIM_H

#include <stddef.h>
#include <librelp.h>

/// RELP_RET_OK (a macro).
static inline int CRELP_ok(void) { return RELP_RET_OK; }

/// relpEngineSetDbgprint(engine, NULL): librelp's silent debug printer. A new
/// engine has none and calls it anyway, so this must follow relpEngineConstruct
/// (Swift cannot pass the variadic function pointer itself).
static inline relpRetVal CRELP_quiet(relpEngine_t *engine) { return relpEngineSetDbgprint(engine, NULL); }

#endif
