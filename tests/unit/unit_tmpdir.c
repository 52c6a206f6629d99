#include <config.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>

#include "unit_tmpdir.h"

int
unit_tmpdir_make(char *tmpl)
{
    return (mkdtemp(tmpl) == NULL) ? -1 : 0;
}

static int
remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

int
unit_tmpdir_remove(const char *dir)
{
    /* Depth first, without following links or leaving the file system. */
    return nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) == 0
               ? 0
               : -1;
}
