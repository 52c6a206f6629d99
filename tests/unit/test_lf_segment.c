/* Unit tests for lib/lf_segment.c: the writer, the checks and adoption,
 * on real POSIX shared memory. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "lf_proc.h"
#include "lf_segment.h"

static char inst[32];
static char inst2[32];

static int
setup(void **state)
{
    snprintf(inst, sizeof(inst), "ut%ld", (long)getpid());
    snprintf(inst2, sizeof(inst2), "ut%ldb", (long)getpid());
    return 0;
}

static int
teardown(void **state)
{
    char name[64];

    lf_seg_name(inst, name, sizeof(name));
    shm_unlink(name);
    lf_seg_name(inst2, name, sizeof(name));
    shm_unlink(name);
    return 0;
}

/* A segment of ours with three holds, in the given state. */
static struct lf_seg *
make_segment(const char *instance, enum lf_seg_state state, uint64_t gen)
{
    struct lf_seg *seg = NULL;
    uint32_t slot = 0;

    assert_int_equal(lf_seg_open_writer(instance, 64, &seg), 0);
    assert_int_equal(lf_seg_begin(seg), 0);
    assert_int_equal(
        lf_seg_insert(seg, "k1", "alice", LF_MODE_EXCLUSIVE, &slot), 0);
    assert_int_equal(lf_seg_insert(seg, "k2", "bob", LF_MODE_SHARED, &slot), 0);
    assert_int_equal(lf_seg_insert(seg, "k2", "carol", LF_MODE_SHARED, &slot),
                     0);
    assert_int_equal(lf_seg_insert(seg, "gone", "dave", LF_MODE_SHARED, &slot),
                     0);
    lf_seg_remove(seg, slot);
    lf_seg_set_position(seg, gen, 9);
    lf_seg_set_state(seg, state);
    lf_seg_set_heard(seg, lf_now_ms(), 60000);
    lf_seg_end(seg);
    return seg;
}

static enum lf_seg_verdict
adopt(const char *instance, uint64_t min_gen, size_t *count)
{
    struct lf_table *t = lf_table_new(0);
    struct lf_seg_info info;
    const char *why = "";
    enum lf_seg_verdict v = lf_seg_adopt(instance, min_gen, t, &info, &why);

    *count = lf_table_count(t);
    lf_table_free(t);
    return v;
}

static void
adopts_in_sync_copy_once(void **state)
{
    struct lf_seg *seg = make_segment(inst, LF_SEG_IN_SYNC, 5);
    struct lf_table *t = lf_table_new(0);
    enum lf_table_outcome outcome = LF_TABLE_NOT_HELD;
    struct lf_seg_info info;
    const char *why = "";
    bool running = false;
    size_t n = 0;

    assert_int_equal(lf_seg_adopt(inst, 5, t, &info, &why), LF_SEG_OK);
    assert_int_equal(lf_table_count(t), 3);
    assert_int_equal(info.generation, 5);
    assert_int_equal(info.seq, 9);
    /* Every hold came over with its owner and mode. */
    assert_int_equal(lf_table_unlock(t, "k1", "alice", NULL),
                     LF_TABLE_RELEASED);
    assert_int_equal(
        lf_table_lock(t, "k2", "erin", LF_MODE_SHARED, 0, &outcome, NULL), 0);
    assert_int_equal(outcome, LF_TABLE_GRANTED);
    assert_int_equal(lf_table_unlock(t, "gone", "dave", NULL),
                     LF_TABLE_NOT_HELD);
    lf_table_free(t);
    /* Loading changes nothing; marking it does, once. */
    assert_int_equal(adopt(inst, 0, &n), LF_SEG_OK);
    assert_int_equal(lf_seg_mark_adopted(inst, &info), LF_SEG_OK);
    /* Adopted copies are not adopted twice. */
    assert_int_equal(adopt(inst, 0, &n), LF_SEG_NOT_IN_SYNC);
    assert_int_equal(lf_seg_mark_adopted(inst, &info), LF_SEG_CHANGED);
    assert_int_equal(lf_seg_peek(inst, &info, &running), LF_SEG_OK);
    assert_int_equal(info.state, LF_SEG_ADOPTED);
    assert_true(running);
    lf_seg_close(seg);
}

static void
disconnected_copy_is_adoptable(void **state)
{
    struct lf_seg *seg = make_segment(inst, LF_SEG_DISCONNECTED, 5);
    size_t n = 0;

    assert_int_equal(adopt(inst, 0, &n), LF_SEG_OK);
    assert_int_equal(n, 3);
    lf_seg_close(seg);
}

static void
refuses_syncing_and_stopped(void **state)
{
    struct lf_seg *seg = make_segment(inst, LF_SEG_SYNCING, 5);
    size_t n = 0;

    assert_int_equal(adopt(inst, 0, &n), LF_SEG_NOT_IN_SYNC);
    assert_int_equal(n, 0);
    lf_seg_close(seg);
    seg = make_segment(inst, LF_SEG_STOPPED, 5);
    assert_int_equal(adopt(inst, 0, &n), LF_SEG_NOT_IN_SYNC);
    lf_seg_close(seg);
}

/* A copy that changed between loading and marking is not marked. */
static void
mark_refuses_a_changed_copy(void **state)
{
    struct lf_seg *seg = make_segment(inst, LF_SEG_DISCONNECTED, 5);
    struct lf_table *t = lf_table_new(0);
    struct lf_seg_info info;
    const char *why = "";

    assert_int_equal(lf_seg_adopt(inst, 0, t, &info, &why), LF_SEG_OK);
    assert_int_equal(lf_seg_begin(seg), 0);
    lf_seg_set_position(seg, 5, 10);
    lf_seg_end(seg);
    assert_int_equal(lf_seg_mark_adopted(inst, &info), LF_SEG_CHANGED);
    lf_table_free(t);
    lf_seg_close(seg);
}

/* Stale copies, and lost ones past their valid time, are refused. */
static void
refuses_stale_and_expired(void **state)
{
    struct lf_seg *seg = make_segment(inst, LF_SEG_STALE, 5);
    size_t n = 0;

    assert_int_equal(adopt(inst, 0, &n), LF_SEG_NOT_IN_SYNC);
    lf_seg_close(seg);
    seg = make_segment(inst, LF_SEG_DISCONNECTED, 5);
    assert_int_equal(lf_seg_begin(seg), 0);
    lf_seg_set_heard(seg, lf_now_ms() - 2000, 1000);
    lf_seg_end(seg);
    assert_int_equal(adopt(inst, 0, &n), LF_SEG_EXPIRED);
    assert_int_equal(n, 0);
    lf_seg_close(seg);
}

/* The pure check, at the edges. */
static void
current_copy_rules(void **state)
{
    struct lf_seg_info info = {.state = LF_SEG_IN_SYNC,
                               .generation = 4,
                               .heard_ms = 10000,
                               .valid_ms = 500};
    const char *why = "";

    assert_int_equal(lf_seg_current(&info, 4, 10500, &why), LF_SEG_OK);
    assert_int_equal(lf_seg_current(&info, 4, 10501, &why), LF_SEG_EXPIRED);
    assert_int_equal(lf_seg_current(&info, 5, 10000, &why),
                     LF_SEG_OLD_GENERATION);
    info.state = LF_SEG_ADOPTED;
    assert_int_equal(lf_seg_current(&info, 0, 10000, &why), LF_SEG_NOT_IN_SYNC);
}

static void
refuses_older_generation(void **state)
{
    struct lf_seg *seg = make_segment(inst, LF_SEG_IN_SYNC, 5);
    size_t n = 0;

    assert_int_equal(adopt(inst, 6, &n), LF_SEG_OLD_GENERATION);
    assert_int_equal(n, 0);
    lf_seg_close(seg);
}

static void
corrupt_byte(const char *instance, size_t offset)
{
    char name[64];
    unsigned char *mem;
    int fd;

    lf_seg_name(instance, name, sizeof(name));
    fd = shm_open(name, O_RDWR, 0);
    assert_true(fd >= 0);
    mem =
        mmap(NULL, lf_seg_size(64), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    assert_true(mem != MAP_FAILED);
    mem[offset] ^= 0x01;
    munmap(mem, lf_seg_size(64));
    close(fd);
}

static void
refuses_corrupt_records_and_header(void **state)
{
    struct lf_seg *seg = make_segment(inst, LF_SEG_IN_SYNC, 5);
    size_t n = 0;

    /* A byte of the second slot's key. */
    corrupt_byte(inst, sizeof(struct lf_seg_header) + sizeof(struct lf_seg_slot)
                           + offsetof(struct lf_seg_slot, key));
    assert_int_equal(adopt(inst, 0, &n), LF_SEG_CORRUPT);
    assert_int_equal(n, 0);
    lf_seg_close(seg);
    seg = make_segment(inst, LF_SEG_IN_SYNC, 5);
    corrupt_byte(inst, offsetof(struct lf_seg_header, generation));
    assert_int_equal(adopt(inst, 0, &n), LF_SEG_CORRUPT);
    lf_seg_close(seg);
}

static void
refuses_other_instance(void **state)
{
    struct lf_seg *seg = make_segment(inst, LF_SEG_IN_SYNC, 5);
    char from[64];
    char to[64];
    char cmd[200];
    size_t n = 0;

    /* The same bytes under the other instance's name. */
    lf_seg_name(inst, from, sizeof(from));
    lf_seg_name(inst2, to, sizeof(to));
    snprintf(cmd, sizeof(cmd), "cp /dev/shm%s /dev/shm%s", from, to);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(adopt(inst2, 0, &n), LF_SEG_WRONG_INSTANCE);
    assert_int_equal(adopt("nonexistent-instance", 0, &n), LF_SEG_ABSENT);
    lf_seg_close(seg);
}

static void
refuses_copy_of_dead_writer(void **state)
{
    pid_t child = fork();
    int status = 0;
    size_t n = 0;

    assert_true(child >= 0);
    if (child == 0) {
        struct lf_seg *seg = make_segment(inst, LF_SEG_IN_SYNC, 5);

        lf_seg_close(seg);
        _exit(0);
    }
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_int_equal(adopt(inst, 0, &n), LF_SEG_WRITER_GONE);
    assert_int_equal(n, 0);
}

static void
one_live_writer_only(void **state)
{
    int ready[2];
    pid_t child;
    char byte = 0;
    struct lf_seg *seg = NULL;
    int status = 0;

    assert_int_equal(pipe(ready), 0);
    child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        struct lf_seg *mine = make_segment(inst, LF_SEG_IN_SYNC, 5);

        (void)!write(ready[1], "r", 1);
        pause();
        lf_seg_close(mine);
        _exit(0);
    }
    assert_int_equal(read(ready[0], &byte, 1), 1);
    assert_int_equal(lf_seg_open_writer(inst, 64, &seg), EBUSY);
    kill(child, SIGKILL);
    waitpid(child, &status, 0);
    /* Its writer gone, the segment can be taken over for writing. */
    assert_int_equal(lf_seg_open_writer(inst, 64, &seg), 0);
    lf_seg_close(seg);
    close(ready[0]);
    close(ready[1]);
}

static void
check_survives_garbage(void **state)
{
    unsigned char buf[sizeof(struct lf_seg_header) + 3 * 400];
    struct lf_seg_info info;
    const char *why = "";

    srand(7);
    for (int round = 0; round < 2000; round++) {
        for (size_t i = 0; i < sizeof(buf); i++) {
            buf[i] = (unsigned char)rand();
        }
        if (round % 2 == 0) {
            uint64_t magic = LF_SEG_MAGIC;

            memcpy(buf, &magic, sizeof(magic));
        }
        assert_int_not_equal(lf_seg_check(buf, sizeof(buf), inst, &info, &why),
                             LF_SEG_OK);
    }
    assert_int_equal(lf_seg_check(buf, 10, inst, &info, &why), LF_SEG_CORRUPT);
}

/* The path of a name in /dev/shm (for link(), chown(), ...). */
static void
shm_path(const char *instance, char *out, size_t size)
{
    char name[64];

    lf_seg_name(instance, name, sizeof(name));
    snprintf(out, size, "%s%s", LF_SEG_DIR, name);
}

/* Extra names a test planted in /dev/shm, removed whatever happens. */
static char planted[2][128];

static int
teardown_planted(void **state)
{
    for (size_t i = 0; i < sizeof(planted) / sizeof(planted[0]); i++) {
        if (planted[i][0] != '\0') {
            (void)unlink(planted[i]);
            planted[i][0] = '\0';
        }
    }
    return teardown(state);
}

/* The copy is still there, unchanged: refusing never touches it. */
static void
assert_untouched(const char *instance, enum lf_seg_state state)
{
    struct lf_seg_info info;
    bool running = false;

    assert_int_equal(lf_seg_peek(instance, &info, &running), LF_SEG_OK);
    assert_int_equal(info.state, state);
    assert_int_equal(info.nlocks, 3);
}

static void
writer_records_its_uid(void **state)
{
    struct lf_seg *seg = make_segment(inst, LF_SEG_IN_SYNC, 5);
    struct lf_seg_info info;
    bool running = false;

    assert_int_equal(lf_seg_peek(inst, &info, &running), LF_SEG_OK);
    assert_int_equal(info.writer_uid, geteuid());
    lf_seg_close(seg);
}

/* A sound, current copy that another user owns (anyone may create names
 * in /dev/shm) is never adopted, nor marked. */
static void
refuses_segment_of_another_user(void **state)
{
    struct lf_seg *seg = make_segment(inst, LF_SEG_IN_SYNC, 5);
    struct lf_table *t = lf_table_new(0);
    struct lf_seg_info info;
    const char *why = "";
    char path[128];
    size_t n = 0;

    if (geteuid() != 0) {
        lf_seg_close(seg);
        lf_table_free(t);
        skip();
    }
    shm_path(inst, path, sizeof(path));
    assert_int_equal(lf_seg_adopt(inst, 0, t, &info, &why), LF_SEG_OK);
    lf_table_clear(t);
    assert_int_equal(chown(path, 65534, 65534), 0);
    assert_int_equal(lf_seg_adopt(inst, 0, t, &info, &why), LF_SEG_FOREIGN);
    assert_string_equal(why, "owned by another user");
    assert_int_equal(lf_table_count(t), 0);
    assert_int_equal(lf_seg_mark_adopted(inst, &info), LF_SEG_FOREIGN);
    assert_untouched(inst, LF_SEG_IN_SYNC);
    /* Given back to us, it is adoptable again. */
    assert_int_equal(chown(path, 0, 0), 0);
    assert_int_equal(adopt(inst, 0, &n), LF_SEG_OK);
    lf_table_free(t);
    lf_seg_close(seg);
}

static void
refuses_segment_readable_by_others(void **state)
{
    struct lf_seg *seg = make_segment(inst, LF_SEG_IN_SYNC, 5);
    char path[128];
    size_t n = 0;

    shm_path(inst, path, sizeof(path));
    assert_int_equal(chmod(path, 0644), 0);
    assert_int_equal(adopt(inst, 0, &n), LF_SEG_FOREIGN);
    assert_int_equal(n, 0);
    assert_untouched(inst, LF_SEG_IN_SYNC);
    lf_seg_close(seg);
}

/* A symbolic link in the segment's place, even to a sound copy. */
static void
refuses_symbolic_link(void **state)
{
    struct lf_seg *seg = make_segment(inst, LF_SEG_IN_SYNC, 5);
    struct lf_table *t = lf_table_new(0);
    struct lf_seg_info info;
    const char *why = "";
    char path[128];

    shm_path(inst, path, sizeof(path));
    snprintf(planted[0], sizeof(planted[0]), "%s/lfut-real-%ld", LF_SEG_DIR,
             (long)getpid());
    assert_int_equal(rename(path, planted[0]), 0);
    assert_int_equal(symlink(planted[0], path), 0);
    assert_int_equal(lf_seg_adopt(inst, 0, t, &info, &why), LF_SEG_FOREIGN);
    assert_string_equal(why, "it is a symbolic link");
    assert_int_equal(lf_table_count(t), 0);
    lf_table_free(t);
    lf_seg_close(seg);
}

/* A second name for the file: someone else may reach it through it. */
static void
refuses_hard_link(void **state)
{
    struct lf_seg *seg = make_segment(inst, LF_SEG_IN_SYNC, 5);
    char path[128];
    size_t n = 0;

    shm_path(inst, path, sizeof(path));
    snprintf(planted[0], sizeof(planted[0]), "%s/lfut-link-%ld", LF_SEG_DIR,
             (long)getpid());
    assert_int_equal(link(path, planted[0]), 0);
    assert_int_equal(adopt(inst, 0, &n), LF_SEG_FOREIGN);
    assert_int_equal(n, 0);
    assert_untouched(inst, LF_SEG_IN_SYNC);
    assert_int_equal(unlink(planted[0]), 0);
    planted[0][0] = '\0';
    assert_int_equal(adopt(inst, 0, &n), LF_SEG_OK);
    lf_seg_close(seg);
}

/* The header must name the file's owner (us) as its writer. */
static void
refuses_header_of_another_writer(void **state)
{
    struct lf_seg *seg = make_segment(inst, LF_SEG_IN_SYNC, 5);
    struct lf_seg_header *hdr;
    char name[64];
    size_t size = lf_seg_size(64);
    size_t n = 0;
    int fd;

    lf_seg_name(inst, name, sizeof(name));
    fd = shm_open(name, O_RDWR, 0);
    assert_true(fd >= 0);
    hdr = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    assert_true(hdr != MAP_FAILED);
    hdr->writer_uid = (uint32_t)geteuid() + 1;
    lf_seg_reseal(hdr, size);
    assert_int_equal(adopt(inst, 0, &n), LF_SEG_FOREIGN);
    assert_int_equal(n, 0);
    /* A layout-2 writer from before the field left it 0 (root). */
    hdr->writer_uid = 0;
    lf_seg_reseal(hdr, size);
    assert_int_equal(adopt(inst, 0, &n),
                     geteuid() == 0 ? LF_SEG_OK : LF_SEG_FOREIGN);
    munmap(hdr, size);
    close(fd);
    lf_seg_close(seg);
}

/* A writer never writes a file another user made: that user may hold it
 * open and change it under the writer. */
static void
writer_refuses_a_file_of_another_user(void **state)
{
    struct lf_seg *seg = NULL;
    char path[128];
    int fd;

    if (geteuid() != 0) {
        skip();
    }
    shm_path(inst, path, sizeof(path));
    fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0666);
    assert_true(fd >= 0);
    assert_int_equal(fchown(fd, 65534, 65534), 0);
    close(fd);
    assert_int_equal(lf_seg_open_writer(inst, 64, &seg), EPERM);
    assert_null(seg);
}

static void
moves_a_foreign_segment_aside(void **state)
{
    struct lf_seg *seg = make_segment(inst, LF_SEG_STOPPED, 5);
    struct stat st;
    const char *why = "";
    char path[128];

    lf_seg_close(seg);
    shm_path(inst, path, sizeof(path));
    /* Our own: nothing to do. */
    assert_int_equal(lf_seg_move_foreign(inst, geteuid(), planted[0],
                                         sizeof(planted[0]), &why),
                     0);
    assert_string_equal(planted[0], "");
    assert_int_equal(lstat(path, &st), 0);
    /* Another user's (as after running as another user): moved aside,
     * kept whole, and the name is free for a segment of our own. */
    assert_int_equal(lf_seg_move_foreign(inst, geteuid() + 1, planted[0],
                                         sizeof(planted[0]), &why),
                     0);
    assert_string_equal(why, "owned by another user");
    assert_non_null(strstr(planted[0], "@aside-"));
    assert_int_equal(lstat(planted[0], &st), 0);
    assert_int_equal(st.st_size, (off_t)lf_seg_size(64));
    assert_int_equal(lstat(path, &st), -1);
    /* A symbolic link is moved, not followed. */
    assert_int_equal(symlink(planted[0], path), 0);
    assert_int_equal(lf_seg_move_foreign(inst, geteuid(), planted[1],
                                         sizeof(planted[1]), &why),
                     0);
    assert_string_equal(why, "a symbolic link");
    assert_int_equal(lstat(planted[1], &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    assert_int_equal(lstat(planted[0], &st), 0);
    assert_true(S_ISREG(st.st_mode));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(adopts_in_sync_copy_once, teardown),
        cmocka_unit_test_teardown(disconnected_copy_is_adoptable, teardown),
        cmocka_unit_test_teardown(refuses_syncing_and_stopped, teardown),
        cmocka_unit_test_teardown(refuses_older_generation, teardown),
        cmocka_unit_test_teardown(mark_refuses_a_changed_copy, teardown),
        cmocka_unit_test_teardown(refuses_stale_and_expired, teardown),
        cmocka_unit_test(current_copy_rules),
        cmocka_unit_test_teardown(refuses_corrupt_records_and_header, teardown),
        cmocka_unit_test_teardown(refuses_other_instance, teardown),
        cmocka_unit_test_teardown(refuses_copy_of_dead_writer, teardown),
        cmocka_unit_test_teardown(one_live_writer_only, teardown),
        cmocka_unit_test(check_survives_garbage),
        cmocka_unit_test_teardown(writer_records_its_uid, teardown),
        cmocka_unit_test_teardown(refuses_segment_of_another_user, teardown),
        cmocka_unit_test_teardown(refuses_segment_readable_by_others, teardown),
        cmocka_unit_test_teardown(refuses_symbolic_link, teardown_planted),
        cmocka_unit_test_teardown(refuses_hard_link, teardown_planted),
        cmocka_unit_test_teardown(refuses_header_of_another_writer, teardown),
        cmocka_unit_test_teardown(writer_refuses_a_file_of_another_user,
                                  teardown),
        cmocka_unit_test_teardown(moves_a_foreign_segment_aside,
                                  teardown_planted),
    };

    return cmocka_run_group_tests_name("lf_segment", tests, setup, teardown);
}
