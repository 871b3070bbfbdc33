// A model compiled by name records its eval preprocessing in the .ssmb, and
// ssm-run --image uses it by default (flags override). (This file's IR is
// unused.) The image is a 48x40 PNG written by the RUN line (stdlib only).
// RUN: %python -c "import struct,zlib,sys; w,h=48,40; raw=b''.join(b'\x00'+bytes((x*5+y*3)%%256 for x in range(w) for _ in range(3)) for y in range(h)); ch=lambda k,d: struct.pack('>I',len(d))+k+d+struct.pack('>I',zlib.crc32(k+d)); open(sys.argv[1],'wb').write(b'\x89PNG\r\n\x1a\n'+ch(b'IHDR',struct.pack('>IIBBBBB',w,h,8,2,0,0,0))+ch(b'IDAT',zlib.compress(raw))+ch(b'IEND',b''))" %t.png
// RUN: ssm-compile --model=vim-t --img=32 --classes=7 --model-option=embed_dim=16 --model-option=depth=1 -o %t.vim.ssmb
// RUN: ssm-run %t.vim.ssmb --list | FileCheck %s --check-prefix=META
// META: model: vim-t (vim)
// META-NEXT: preprocess: resize 36, crop 32, mean 0.485,0.456,0.406, std 0.229,0.224,0.225
// RUN: ssm-run %t.vim.ssmb --image=%t.png --input=random | FileCheck %s --check-prefix=VIM
// VIM: preprocess: resize 36, center crop 32x32, mean 0.485,0.456,0.406 std 0.229,0.224,0.225
// VIM: top-5 of 7 classes
// RUN: ssm-run %t.vim.ssmb --image=%t.png --input=random --resize=40 | FileCheck %s --check-prefix=FLAG
// FLAG: preprocess: resize 40, center crop 32x32
// MambaOut evaluates with crop_pct 1.0: no resize margin.
// RUN: ssm-compile --model=mambaout-femto --img=32 --classes=7 --model-option=dims=8,16,24,32 --model-option=depths=1,1,1,1 -o %t.mo.ssmb
// RUN: ssm-run %t.mo.ssmb --image=%t.png --input=random | FileCheck %s --check-prefix=MO
// MO: preprocess: resize 32, center crop 32x32
