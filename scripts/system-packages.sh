#!/bin/sh
# Installs the system packages that Anyun's set-up needs, only those that are missing, one at
# a time, so that one package apt cannot install (for example Debian's npm beside a Node.js
# that came from elsewhere) never blocks the others.
#
#   scripts/system-packages.sh NEED...     NEED: chromium, gettext, fonts, pango, npm, turnserver
#
# A need that is already met is skipped. Run as root with apt-get, the missing packages are
# installed; otherwise the script names the exact packages to install and exits 1. An apt
# failure names the package and prints apt's own reason. Exit status: 0 when every need asked
# for is met afterwards, 1 otherwise.
set -u

# How each need is recognised as met.
have_chromium() {
    command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 \
        || { [ -n "${CHROMIUM:-}" ] && [ -x "$CHROMIUM" ]; }
}
have_gettext() { command -v msgfmt >/dev/null 2>&1; }
have_fonts() { [ -n "$(fc-list :lang=zh 2>/dev/null)" ]; }
have_npm() { command -v npm >/dev/null 2>&1; }
# The video-call test through a real TURN relay starts Debian's coturn.
have_turnserver() { command -v turnserver >/dev/null 2>&1; }
# WeasyPrint (the printed chart) loads Pango's shared libraries at import.
have_pango() { ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1\.0\.so\.0'; }

# The Debian package that meets each need.
package_of() {
    case "$1" in
        chromium) echo chromium ;;
        gettext) echo gettext ;;
        fonts) echo fonts-noto-cjk ;;
        pango) echo libpango-1.0-0 libpangoft2-1.0-0 ;;
        npm) echo npm ;;
        turnserver) echo coturn ;;
        *) return 1 ;;
    esac
}

missing=""
for need in "$@"; do
    if ! package_of "$need" >/dev/null; then
        echo "system-packages: unknown need '$need' (known: chromium gettext fonts pango npm turnserver)" >&2
        exit 2
    fi
    "have_$need" || missing="$missing $(package_of "$need")"
done
missing="${missing# }"
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "Anyun needs these system packages, which are not installed: $missing"
    echo "Install them as root, for example on Debian/Ubuntu: apt-get install $missing"
    exit 1
fi

if ! out=$(apt-get update -qq 2>&1); then
    echo "system-packages: apt-get update failed; trying the installed package lists:"
    printf '%s\n' "$out" | sed 's/^/    /'
fi
failed=""
for package in $missing; do
    echo "Installing $package ..."
    if ! out=$(DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" 2>&1); then
        echo "system-packages: apt could not install $package:"
        printf '%s\n' "$out" | sed 's/^/    /'
        failed="$failed $package"
    fi
done
if [ -n "$failed" ]; then
    echo "Not installed:$failed (see apt's reasons above)."
    exit 1
fi
exit 0
