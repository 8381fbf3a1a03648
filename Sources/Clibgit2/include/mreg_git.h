#ifndef MREG_GIT_H
#define MREG_GIT_H
/// libgit2's types and constants, and its functions as a table filled when git is first used.
///
/// mreg does not link libgit2: loading it and the libraries it needs (TLS, Kerberos, SSH, PCRE…)
/// costs every process about 3 ms at start, and only `register` and `diff` read a repository.
/// It also lets commands that never touch git run where libgit2 is not installed.
#include <git2.h>
#include <stddef.h>

/// Every libgit2 function mreg calls; add one here to call it as `git.NAME(…)` from Swift.
#define MREG_GIT_FUNCTIONS(X) \
    X(git_branch_create) \
    X(git_buf_dispose) \
    X(git_commit_author) \
    X(git_commit_create) \
    X(git_commit_free) \
    X(git_commit_lookup) \
    X(git_commit_message) \
    X(git_commit_summary) \
    X(git_commit_time) \
    X(git_config_free) \
    X(git_config_get_string) \
    X(git_config_set_string) \
    X(git_error_last) \
    X(git_index_add_all) \
    X(git_index_free) \
    X(git_index_update_all) \
    X(git_index_write) \
    X(git_index_write_tree) \
    X(git_merge_base) \
    X(git_note_create) \
    X(git_note_free) \
    X(git_note_message) \
    X(git_note_read) \
    X(git_oid_equal) \
    X(git_oid_fromstr) \
    X(git_oid_tostr) \
    X(git_reference_free) \
    X(git_reference_name_to_id) \
    X(git_reference_shorthand) \
    X(git_repository_config) \
    X(git_repository_config_snapshot) \
    X(git_repository_detach_head) \
    X(git_repository_discover) \
    X(git_repository_free) \
    X(git_repository_head) \
    X(git_repository_head_detached) \
    X(git_repository_index) \
    X(git_repository_init) \
    X(git_repository_open) \
    X(git_repository_path) \
    X(git_repository_set_head) \
    X(git_repository_workdir) \
    X(git_revwalk_free) \
    X(git_revwalk_hide) \
    X(git_revwalk_new) \
    X(git_revwalk_next) \
    X(git_revwalk_push) \
    X(git_revwalk_sorting) \
    X(git_signature_default) \
    X(git_signature_free) \
    X(git_signature_new) \
    X(git_signature_now) \
    X(git_status_byindex) \
    X(git_status_list_entrycount) \
    X(git_status_list_free) \
    X(git_status_list_new) \
    X(git_status_options_init) \
    X(git_tree_free) \
    X(git_tree_lookup) \
    X(git_libgit2_init)

typedef struct {
#define MREG_GIT_FIELD(name) __typeof__(name) *_Nonnull name;
    MREG_GIT_FUNCTIONS(MREG_GIT_FIELD)
#undef MREG_GIT_FIELD
} mreg_git_api;

/// The table, libgit2 loaded and initialised on the first call; NULL when it cannot be, with
/// why in `error` (at most `error_size` bytes). Safe to call from any thread.
const mreg_git_api *_Nullable mreg_git_load(char *_Nonnull error, size_t error_size);
#endif
