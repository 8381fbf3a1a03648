#include "mreg_git.h"
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

static mreg_git_api api;
static char failure[512];
static int loaded;
static pthread_once_t once = PTHREAD_ONCE_INIT;

/// Opens the libgit2 whose headers mreg was built against (its soname carries the ABI version)
/// and resolves every function, or records why not.
static void load(void) {
    const char *soname = "libgit2.so." LIBGIT2_SOVERSION;
    void *library = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) {
        snprintf(failure, sizeof failure, "libgit2 %s is not installed (%s)", LIBGIT2_VERSION, dlerror());
        return;
    }
#define MREG_GIT_RESOLVE(name)                                                              \
    api.name = (__typeof__(api.name))dlsym(library, #name);                                 \
    if (api.name == NULL) {                                                                 \
        snprintf(failure, sizeof failure, "%s has no function %s", soname, #name);          \
        return;                                                                             \
    }
    MREG_GIT_FUNCTIONS(MREG_GIT_RESOLVE)
#undef MREG_GIT_RESOLVE
    if (api.git_libgit2_init() < 0) {
        snprintf(failure, sizeof failure, "%s failed to initialise", soname);
        return;
    }
    loaded = 1;
}

const mreg_git_api *mreg_git_load(char *error, size_t error_size) {
    pthread_once(&once, load);
    if (loaded) return &api;
    snprintf(error, error_size, "%s", failure);
    return NULL;
}
