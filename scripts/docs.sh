#!/usr/bin/env bash
# Builds the DocC documentation of the public library targets (one catalog each: Sources/<Target>/<Target>.docc) with
# swift-docc-plugin on top of the release build, and fails when
#   - docc warns: a symbol or article link that does not resolve, a parameter list that misses a parameter, …;
#   - a public symbol has no documentation comment (scripts/doc_coverage.swift lists them, and says which
#     symbols need none: synthesized members, protocol-requirement implementations, overrides);
#   - a Markdown link in a catalog or the README, or a path like Sources/…/x.md cited anywhere, names a file that
#     is not in the repository, or user-facing text cites a file outside it.
#   bash scripts/docs.sh [TARGET...]   (default: every target with a catalog)
# Archives and logs go to .build/documentation.
# A new target is checked once it has Sources/<Target>/<Target>.docc/<Target>.md, a landing page titled
# with the module (`# ``Target```).
set -euo pipefail
cd "$(dirname "$0")/.."

targets=("$@")
if ((${#targets[@]} == 0)); then
    for catalog in Sources/*/*.docc; do
        target=$(basename "$(dirname "$catalog")")
        [ "$catalog" = "Sources/$target/$target.docc" ] && targets+=("$target")
    done
fi
target_flags=()
for target in "${targets[@]}"; do
    if [ ! -d "Sources/$target/$target.docc" ]; then
        echo "docs: there is no catalog Sources/$target/$target.docc" >&2
        exit 1
    fi
    target_flags+=(--target "$target")
done
out=.build/documentation
rm -rf "$out"
mkdir -p "$out"
status=0

# 1. docc, on the release build (`-c release` reuses it: only symbol extraction and docc run), one target at a time
#    so that each target's diagnostics stay together in .build/documentation/T.log.
rm -rf .build/*/extracted-symbols
for target in "${targets[@]}"; do
    log="$out/$target.log"
    if ! swift package -c release --allow-writing-to-directory "$out" generate-documentation --target "$target" \
            --disable-indexing --output-path "$out/$target.doccarchive" >"$log" 2>&1; then
        cat "$log" >&2
        echo "docs: swift package generate-documentation --target $target failed" >&2
        exit 1
    fi
    # docc's own output: from "Building documentation" to "Finished building documentation".
    diagnostics=$(awk '/^Building documentation for/ { docc = 1; next }
                       /^Finished building documentation/ { docc = 0 } docc' "$log")
    if grep -qE '^(warning|error):' <<<"$diagnostics"; then
        echo "docs: docc warns about $target (paths are relative to Sources/$target/$target.docc):" >&2
        echo "$diagnostics" >&2
        status=1
    fi
done

# 2. A documentation comment on every public symbol.
graphs=()
for target in "${targets[@]}"; do
    while IFS= read -r graph; do graphs+=("$graph"); done \
        < <(find .build -path "*/extracted-symbols/*/$target/*.symbols.json" | sort)
done
if ((${#graphs[@]} == 0)); then
    echo "docs: generate-documentation left no symbol graphs under .build/*/extracted-symbols" >&2
    exit 1
fi
if ! swift scripts/doc_coverage.swift "$PWD" "${graphs[@]}" >"$out/undocumented.txt"; then
    echo "docs: $(wc -l <"$out/undocumented.txt") public symbols have no documentation comment:" >&2
    cat "$out/undocumented.txt" >&2
    status=1
fi

# 3. No guide named like a top-level symbol of its target: DocC gives both the same page, and one hides the other
#    (an article precision.md beside `enum Precision`).
for target in "${targets[@]}"; do
    for article in "Sources/$target/$target.docc"/*.md; do
        name=$(basename "$article" .md)
        [ "$name" = "$target" ] && continue
        if cat .build/*/extracted-symbols/*/"$target"/*.symbols.json | grep -qiF "\"pathComponents\":[\"$name\"]"; then
            echo "docs: $article would share its page with the symbol of that name in $target; rename the article" >&2
            status=1
        fi
    done
done

# 4. Links between the guides and to them, and no file outside the repository cited.
for page in README.md Sources/*/*.docc/*.md; do
    while IFS= read -r link; do
        file=${link%%#*}
        [ -e "$(dirname "$page")/$file" ] || { echo "docs: $page links to $link, which does not exist" >&2; status=1; }
    done < <(grep -oE '\]\([^):#]+\.md(#[^)]*)?\)' "$page" | sed -E 's/^\]\((.*)\)$/\1/')
done
while IFS=: read -r file line path; do
    [ -e "$path" ] || { echo "docs: $file:$line cites $path, which does not exist" >&2; status=1; }
done < <(git grep -noE '(Sources|docs)/[A-Za-z0-9_./-]+\.md' -- Sources README.md Templates scripts Tests)
if git grep -nE 'DESIGN\.md|\.\./shared/|seeds/' -- Sources README.md Templates scripts Tests ':!scripts/docs.sh' \
        >&2; then
    echo "docs: the lines above cite files that are not in the repository" >&2
    status=1
fi

((status == 0)) && echo "docs: ${targets[*]}: no docc warnings, every public symbol documented, every link resolves"
exit "$status"
