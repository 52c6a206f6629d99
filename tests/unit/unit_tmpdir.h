/*
 * unit_tmpdir.h - the temporary directory of a test group, shared by the
 * unit and server tests: made from a mkdtemp() template before the group,
 * removed with everything in it after.
 */
#ifndef UNIT_TMPDIR_H
#define UNIT_TMPDIR_H

/*! \brief mkdtemp(tmpl). \return 0, or -1 (a cmocka group setup's failure) */
int unit_tmpdir_make(char *tmpl);

/*!
 * \brief Remove dir and all it holds (links are removed, never followed).
 *
 * \return 0, or -1 when something could not be removed
 */
int unit_tmpdir_remove(const char *dir);

#endif
