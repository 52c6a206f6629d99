# Set-up, build, test, lint, demo and packaging scripts.
EXTRA_DIST += \
	scripts/deps.sh \
	scripts/run-tests.sh \
	scripts/build.sh \
	scripts/lint.sh \
	scripts/demo.sh \
	scripts/lf-chroot.sh \
	scripts/chroot-trixie.sh \
	scripts/build-packages.sh \
	scripts/pkg-installed-test.sh
