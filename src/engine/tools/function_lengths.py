#!/usr/bin/env python3
# Usage: python3 src/engine/tools/function_lengths.py src/engine/src/*.cpp src/engine/src/*.hpp  (prints the 5 longest)
"""Lengths (lines, signature to closing brace) of the functions in C++ files.
A '{' opens a function when the text before it (since the last ';', '{' or '}')
ends like a function head (')' plus const/override/noexcept/-> T, or a
constructor's initialiser list) and no function is open already (lambdas and
blocks count towards their enclosing function)."""
import re, sys

HEAD = re.compile(r'\)\s*(const\s*)?(override\s*)?(final\s*)?(noexcept\s*)?(->\s*[\w:<>,\s*&]+)?$')

def strip(src):
    # blank out comments and string/char literals, keep newlines
    out, i, n = [], 0, len(src)
    while i < n:
        c = src[i]
        if src.startswith('//', i):
            j = src.find('\n', i); j = n if j < 0 else j
            out.append(' ' * (j - i)); i = j
        elif src.startswith('/*', i):
            j = src.find('*/', i) + 2
            out.append(re.sub(r'[^\n]', ' ', src[i:j])); i = j
        elif src.startswith('R"', i):
            m = re.match(r'R"([^(]*)\(', src[i:])
            end = src.find(')' + m.group(1) + '"', i) + len(m.group(1)) + 2
            out.append(re.sub(r'[^\n]', ' ', src[i:end])); i = end
        elif c in '"\'':
            j = i + 1
            while j < n and src[j] != c:
                j += 2 if src[j] == '\\' else 1
            out.append(' ' * (j + 1 - i)); i = j + 1
        else:
            out.append(c); i += 1
    return ''.join(out)

def functions(path):
    s = strip(open(path).read())
    res, stack, last, fn_depth = [], [], 0, None
    for i, c in enumerate(s):
        if c in ';{}':
            if c == '{':
                head = s[last:i].strip()
                is_fn = fn_depth is None and (HEAD.search(head) or re.search(r'\)\s*:\s*[\w:]+[({]', head)) \
                    and not re.match(r'(namespace|struct|class|enum|union)\b', head)
                if is_fn:
                    fn_depth = len(stack)
                    start = s.count('\n', 0, last + len(s[last:i]) - len(s[last:i].lstrip())) + 1
                    name = re.sub(r'\s+', ' ', head.split('(')[0]).split(' ')[-1]
                    stack.append(('fn', start, name))
                else:
                    stack.append(('blk', 0, ''))
            elif c == '}':
                kind, start, name = stack.pop() if stack else ('blk', 0, '')
                if kind == 'fn':
                    end = s.count('\n', 0, i) + 1
                    res.append((end - start + 1, path, start, name))
                    fn_depth = None
            last = i + 1
    return res

allf = []
for p in sys.argv[1:]:
    allf += functions(p)
allf.sort(reverse=True)
k = 5
for n, p, line, name in allf[:k]:
    print(f'{n:4d}  {p}:{line}  {name}')
