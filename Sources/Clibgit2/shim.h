#ifndef MREG_CLIBGIT2_SHIM_H
#define MREG_CLIBGIT2_SHIM_H
#include <git2.h>

/// git_libgit2_opts is variadic and cannot be called from Swift; wrap the options we use.
static inline int mreg_git_set_owner_validation(int enabled) {
    return git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, enabled);
}
#endif
