# Shared by tools/run and tools/test: install the system packages a fresh machine lacks.
# Debian package names; apt-get works as root here (sudo is used when not root and available).
fieldbook_install_system_packages() {
    local needed=()
    local package
    for package in libsqlite3-dev zlib1g-dev libedit-dev pkg-config tmux; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || needed+=("$package")
    done
    [ ${#needed[@]} -eq 0 ] && return 0
    echo "Installing system packages: ${needed[*]}" >&2
    local sudo=""
    if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then sudo="sudo"; fi
    $sudo apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${needed[@]}" >&2
}

# PostgreSQL for the centre's second store (issue 17): tools/test runs the store contract suite against a throwaway
# cluster (tools/cluster), so a fresh machine needs Debian's postgresql package (initdb, pg_ctl, psql). Only
# tools/test and tools/cluster call this: the product itself does not need PostgreSQL on the machine.
fieldbook_install_postgresql() {
    ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && return 0
    echo "Installing PostgreSQL (Debian's postgresql package)" >&2
    local sudo=""
    if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then sudo="sudo"; fi
    $sudo apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends postgresql >&2
}
