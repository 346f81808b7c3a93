#!/usr/bin/env bash
# Generated SQL is built as a statement tree (include/pgt/sql/tree.hpp) and spelled by its one
# renderer (src/pgt/sql/: tree.cpp, with the quoting helpers of builder.cpp and json_table.cpp): no
# other source file pastes SQL together from string literals holding a keyword, a
# schema-qualified name, a cast or an operator (a literal next to `+` or `<<`). A fixed
# statement written whole, with $n parameters, is not pasted; a message naming a clause
# ("… in the GROUP BY clause") is prose, told by its lower-case English words. A bare operator or an unqualified function in hand-written text is how
# generated SQL ends up calling another role's operator (tests/regress/sql/hostile_schema.sql).
#
# Generated SQL is written by the lowering (src/pgt/lower) and the extension (src/pgext): those
# are checked. The front end and the IR's printers write messages and the circuit's text form.
#
#   check_sql_text.sh [--list FILE]   print the offending literals of FILE (or of every file)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

# Prints "line: literal" for each string literal of a C++ file that reads as SQL. Comments
# and character literals are skipped; only literals next to `+` or `<<` count.
sql_literals() {
    perl -0777 -ne '
        my $src = $_; my $line = 1; my $i = 0; my $n = length $src;
        my $kw = qr/\b(?:SELECT|FROM|WHERE|JOIN|GROUP\s+BY|ORDER\s+BY|UNION|EXCEPT|INTERSECT|INSERT|UPDATE|DELETE|MERGE|WITH|AND|OR|NOT|CASE|WHEN|THEN|ELSE|END|HAVING|EXISTS|IS\s+(?:NOT\s+)?(?:NULL|DISTINCT)|LATERAL|CAST|AS|ON|USING|RETURNING|LIMIT|OFFSET|VALUES|SET|IN|ANY|ARRAY|ROW|COALESCE|TRUNCATE|CREATE|DROP|ALTER|GRANT|LOCK|TABLE|INDEX|TRIGGER)\b/;
        my $sqlish = qr/OPERATOR\(|pg_catalog\.|::|^\s+(?:=|<>|<|>|<=|>=|\+|-|\*|\/|%|\|\|)\s+$/;
        # Prose (an error message naming a clause): an English word in lower case outside quotes.
        my $prose = sub { my $t = shift; $t =~ s/\x27[^\x27]*\x27//g; $t =~ s/\\"[^"]*?\\"//g;
                          return $t =~ /(?<![\w.])(?:is|not|the|must|cannot|can|in|on|of|only|for|without|over|be|its|clause|query|entry|missing|with|from|and|or|per|than|rows|values|are)(?![\w.(])/; };
        while ($i < $n) {
            my $c = substr($src, $i, 1);
            if ($c eq "\n") { $line++; $i++; next; }
            if (substr($src, $i, 2) eq "//") { my $e = index($src, "\n", $i); $i = $e < 0 ? $n : $e; next; }
            if (substr($src, $i, 2) eq "/*") { my $e = index($src, "*/", $i + 2); my $t = substr($src, $i, $e + 2 - $i); $line += ($t =~ tr/\n//); $i = $e + 2; next; }
            if ($c eq "\x27") { $i++; $i++ if substr($src, $i, 1) eq "\\"; $i++ while $i < $n && substr($src, $i, 1) ne "\x27"; $i++; next; }
            # (A raw string literal: R" not ending a word, as "AFTER" does.)
            if (substr($src, $i, 2) eq "R\"" && ($i == 0 || substr($src, $i - 1, 1) !~ /\w/)) {
                my $o = index($src, "(", $i); my $d = substr($src, $i + 2, $o - $i - 2);
                my $e = index($src, ")$d\"", $o); my $body = substr($src, $o + 1, $e - $o - 1);
                my $pasted = substr($src, $i < 3 ? 0 : $i - 3, $i < 3 ? $i : 3) =~ /\+|<</ || substr($src, $e + length($d) + 2, 3) =~ /\+|<</;
                print "$line: R\"($body)\"\n" if $pasted && ($body =~ $kw || $body =~ $sqlish) && !$prose->($body);
                $line += ($body =~ tr/\n//); $i = $e + length($d) + 2; next;
            }
            if ($c eq "\"") {
                my $j = $i + 1; my $s = "";
                while ($j < $n && substr($src, $j, 1) ne "\"") {
                    if (substr($src, $j, 1) eq "\\") { $s .= substr($src, $j, 2); $j += 2; next; }
                    $s .= substr($src, $j, 1); $j++;
                }
                my $pasted = substr($src, $i < 3 ? 0 : $i - 3, $i < 3 ? $i : 3) =~ /\+|<</ || substr($src, $j + 1, 3) =~ /\+|<</;
                print "$line: \"$s\"\n" if $pasted && ($s =~ $kw || $s =~ $sqlish) && !$prose->($s);
                $i = $j + 1; next;
            }
            $i++;
        }' "$1"
}

sources() { find src/pgt/lower src/pgext -name '*.cpp' -o -name '*.hpp' | sort; }

if [[ ${1:-} == --list ]]; then
    if [[ -n ${2:-} ]]; then sql_literals "$2"; exit 0; fi
    cd "$root"
    for f in $(sources); do
        n=$(sql_literals "$f" | wc -l)
        ((n)) && echo "$n $f"
    done | sort -rn
    exit 0
fi

cd "$root"
failures=0
while IFS= read -r f; do
    if [[ -n $(sql_literals "$f") ]]; then
        echo "$f: SQL written as text outside the renderer (build it as a sql::tree):"; sql_literals "$f" | head -5 | sed 's/^/    /'
        failures=$((failures + 1))
    fi
done < <(sources)
if ((failures)); then echo "$failures files fail the SQL-text check"; exit 1; fi
echo "sql text: only the renderer writes SQL"
