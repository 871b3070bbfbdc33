// ssm-pad-library-buffers: the intermediates a GEMM library call reads or
// writes get rows padded to 16 bytes (a subview of the logical shape for
// every user), the record the padded strides, kernels whose argument types
// change a clone; buffers with a user that cannot take the view, function
// arguments and already aligned rows are left alone.
// RUN: ssm-opt %s --split-input-file --ssm-pad-library-buffers | FileCheck %s
// With remarks, why a buffer stays unpadded (the user that refuses the
// strided view) and which record extents stay unaligned:
// RUN: ssm-opt %s --split-input-file --ssm-pad-library-buffers=remarks=true -o /dev/null 2>&1 | FileCheck %s --check-prefix=REMARK
// REMARK: remark: ssm-pad-library-buffers: n = 5 runs along an operand's contiguous dim and is not a multiple of 8
// REMARK: remark: ssm-pad-library-buffers: rows not padded to 8: a user cannot take 'memref<2x6x5xf32, strided<[48, 8, 1]>>'
// REMARK: note: refused by memref.reinterpret_cast

// Vim's in_proj into a channel-first (b, e, l = 5) f32 buffer, read by an
// elementwise op through a subview, and a bf16 operand (l = 5) another
// kernel wrote, read with a transposed A.
// CHECK-LABEL: func.func @channel_first
// CHECK: %[[P:.*]] = memref.alloc() {alignment = 64 : i64} : memref<2x6x8xf32>
// CHECK: %[[C:.*]] = memref.subview %[[P]][0, 0, 0] [2, 6, 5] [1, 1, 1] : memref<2x6x8xf32> to memref<2x6x5xf32, strided<[48, 8, 1]>>
// CHECK: %[[Q:.*]] = memref.alloc() : memref<2x4x8xbf16>
// CHECK: %[[Y:.*]] = memref.subview %[[Q]][0, 0, 0] [2, 4, 5] [1, 1, 1] : memref<2x4x8xbf16> to memref<2x4x5xbf16, strided<[32, 8, 1]>>
// CHECK: linalg.fill {{.*}} outs(%[[Y]] : memref<2x4x5xbf16, strided<[32, 8, 1]>>)
// CHECK: gpu.launch_func @kernels::@gemm_padded blocks {{.*}} args(%arg0 : memref<6x3xbf16>, %arg1 : memref<2x3x5xbf16>, %[[C]] : memref<2x6x5xf32, strided<[48, 8, 1]>>)
// CHECK-SAME: c_dims = array<i64: 1, 2, 0>, c_strides = array<i64: 8, 1, 48>
// CHECK: %[[Z:.*]] = memref.subview %[[C]][0, 3, 0] [2, 3, 5] [1, 1, 1] : memref<2x6x5xf32, strided<[48, 8, 1]>> to memref<2x3x5xf32, strided<[48, 8, 1], offset: 24>>
// CHECK: linalg.generic {{.*}} ins(%[[Z]] : memref<2x3x5xf32, strided<[48, 8, 1], offset: 24>>)
// CHECK: gpu.launch_func @kernels::@gemm_t_padded blocks {{.*}} args(%[[Y]] : memref<2x4x5xbf16, strided<[32, 8, 1]>>, %arg2 : memref<4x6xbf16>, %arg3 : memref<2x5x6xf32>)
// CHECK-SAME: a_dims = array<i64: 2, 1, 0>, a_strides = array<i64: 1, 8, 32>
// CHECK: memref.dealloc %[[Q]] : memref<2x4x8xbf16>
// CHECK: gpu.module @kernels
// CHECK-NOT: gpu.func @gemm(
// CHECK: gpu.func @gemm_padded(%{{.*}}: memref<6x3xbf16>, %{{.*}}: memref<2x3x5xbf16>, %[[KC:.*]]: memref<2x6x5xf32, strided<[48, 8, 1]>>) kernel
// CHECK: memref.store %{{.*}}, %[[KC]][%{{.*}}, %{{.*}}, %{{.*}}] : memref<2x6x5xf32, strided<[48, 8, 1]>>
// CHECK: gpu.func @gemm_t_padded(%{{.*}}: memref<2x4x5xbf16, strided<[32, 8, 1]>>,
module attributes {gpu.container_module} {
  func.func @channel_first(%w: memref<6x3xbf16>, %x: memref<2x3x5xbf16>, %wo: memref<4x6xbf16>, %out: memref<2x5x6xf32>, %sink: memref<2x3x5xf32>) {
    %c1 = arith.constant 1 : index
    %zero = arith.constant 0.0 : bf16
    %c = memref.alloc() {alignment = 64 : i64} : memref<2x6x5xf32>
    %y = memref.alloc() : memref<2x4x5xbf16>
    linalg.fill ins(%zero : bf16) outs(%y : memref<2x4x5xbf16>)
    gpu.launch_func @kernels::@gemm blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%w : memref<6x3xbf16>, %x : memref<2x3x5xbf16>, %c : memref<2x6x5xf32>) {ssm.library_call = {a_arg = 0 : i64, a_dims = array<i64: 0, 1, -1>, a_strides = array<i64: 3, 1, 0>, activation = "none", b_arg = 1 : i64, b_dims = array<i64: 1, 2, 0>, b_strides = array<i64: 5, 1, 15>, batch = 2 : i64, bias = "none", c_arg = 2 : i64, c_dims = array<i64: 1, 2, 0>, c_strides = array<i64: 5, 1, 30>, k = 3 : i64, m = 6 : i64, n = 5 : i64, op = "gemm"}}
    %z = memref.subview %c[0, 3, 0] [2, 3, 5] [1, 1, 1] : memref<2x6x5xf32> to memref<2x3x5xf32, strided<[30, 5, 1], offset: 15>>
    linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%z : memref<2x3x5xf32, strided<[30, 5, 1], offset: 15>>) outs(%sink : memref<2x3x5xf32>) {
    ^bb0(%in: f32, %o: f32):
      linalg.yield %in : f32
    }
    gpu.launch_func @kernels::@gemm_t blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%y : memref<2x4x5xbf16>, %wo : memref<4x6xbf16>, %out : memref<2x5x6xf32>) {ssm.library_call = {a_arg = 0 : i64, a_dims = array<i64: 2, 1, 0>, a_strides = array<i64: 1, 5, 20>, activation = "none", b_arg = 1 : i64, b_dims = array<i64: 0, 1, -1>, b_strides = array<i64: 6, 1, 0>, batch = 2 : i64, bias = "none", c_arg = 2 : i64, c_dims = array<i64: 1, 2, 0>, c_strides = array<i64: 6, 1, 30>, k = 4 : i64, m = 5 : i64, n = 6 : i64, op = "gemm"}}
    memref.dealloc %y : memref<2x4x5xbf16>
    return
  }
  gpu.module @kernels {
    gpu.func @gemm(%a: memref<6x3xbf16>, %b: memref<2x3x5xbf16>, %c: memref<2x6x5xf32>) kernel {
      %i = gpu.thread_id x
      %v = arith.constant 1.0 : f32
      memref.store %v, %c[%i, %i, %i] : memref<2x6x5xf32>
      gpu.return
    }
    gpu.func @gemm_t(%a: memref<2x4x5xbf16>, %b: memref<4x6xbf16>, %c: memref<2x5x6xf32>) kernel {
      %i = gpu.thread_id x
      %v = memref.load %a[%i, %i, %i] : memref<2x4x5xbf16>
      %w = arith.extf %v : bf16 to f32
      memref.store %w, %c[%i, %i, %i] : memref<2x5x6xf32>
      gpu.return
    }
  }
}

// -----

// A buffer read through a reinterpret_cast (a flat view) cannot be padded;
// one whose rows are aligned (4 f32, all operands along n f32) needs no
// padding; a function argument
// is never touched. The records and the kernel keep their types.
// CHECK-LABEL: func.func @left_alone
// CHECK-NOT: memref.subview
// CHECK: %[[A:.*]] = memref.alloc() : memref<2x6x5xf32>
// CHECK: gpu.launch_func @kernels::@gemm blocks {{.*}} args(%arg0 : memref<6x3xbf16>, %arg1 : memref<2x3x5xbf16>, %[[A]] : memref<2x6x5xf32>)
// CHECK-SAME: c_strides = array<i64: 5, 1, 30>
// CHECK: memref.reinterpret_cast %[[A]]
// CHECK: %[[B:.*]] = memref.alloc() : memref<2x6x4xf32>
// CHECK: gpu.launch_func @kernels::@gemm4 blocks {{.*}} args(%arg0 : memref<6x3xbf16>, %arg2 : memref<2x3x4xf32>, %[[B]] : memref<2x6x4xf32>)
// CHECK: gpu.func @gemm(
// CHECK-NOT: _padded
module attributes {gpu.container_module} {
  func.func @left_alone(%w: memref<6x3xbf16>, %x: memref<2x3x5xbf16>, %x4: memref<2x3x4xf32>, %flat: memref<60xf32>) {
    %c1 = arith.constant 1 : index
    %a = memref.alloc() : memref<2x6x5xf32>
    gpu.launch_func @kernels::@gemm blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%w : memref<6x3xbf16>, %x : memref<2x3x5xbf16>, %a : memref<2x6x5xf32>) {ssm.library_call = {a_arg = 0 : i64, a_dims = array<i64: 0, 1, -1>, a_strides = array<i64: 3, 1, 0>, activation = "none", b_arg = 1 : i64, b_dims = array<i64: 1, 2, 0>, b_strides = array<i64: 5, 1, 15>, batch = 2 : i64, bias = "none", c_arg = 2 : i64, c_dims = array<i64: 1, 2, 0>, c_strides = array<i64: 5, 1, 30>, k = 3 : i64, m = 6 : i64, n = 5 : i64, op = "gemm"}}
    %r = memref.reinterpret_cast %a to offset: [0], sizes: [60], strides: [1] : memref<2x6x5xf32> to memref<60xf32>
    memref.copy %r, %flat : memref<60xf32> to memref<60xf32>
    %b = memref.alloc() : memref<2x6x4xf32>
    gpu.launch_func @kernels::@gemm4 blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%w : memref<6x3xbf16>, %x4 : memref<2x3x4xf32>, %b : memref<2x6x4xf32>) {ssm.library_call = {a_arg = 0 : i64, a_dims = array<i64: 0, 1, -1>, a_strides = array<i64: 3, 1, 0>, activation = "none", b_arg = 1 : i64, b_dims = array<i64: 1, 2, 0>, b_strides = array<i64: 4, 1, 12>, batch = 2 : i64, bias = "none", c_arg = 2 : i64, c_dims = array<i64: 1, 2, 0>, c_strides = array<i64: 4, 1, 24>, k = 3 : i64, m = 6 : i64, n = 4 : i64, op = "gemm"}}
    return
  }
  gpu.module @kernels {
    gpu.func @gemm(%a: memref<6x3xbf16>, %b: memref<2x3x5xbf16>, %c: memref<2x6x5xf32>) kernel {
      gpu.return
    }
    gpu.func @gemm4(%a: memref<6x3xbf16>, %b: memref<2x3x4xf32>, %c: memref<2x6x4xf32>) kernel {
      gpu.return
    }
  }
}

// -----

// A kernel that flattens its argument (as the scan's vector fills do)
// keeps the buffer unpadded; a collapse that keeps the padded dim apart
// (MambaOut's NHWC tokens) gets the padded strides.
// CHECK-LABEL: func.func @kernel_users
// CHECK: %[[A:.*]] = memref.alloc() : memref<2x6x5xf32>
// CHECK: gpu.launch_func @kernels::@flatten blocks {{.*}} args(%[[A]] : memref<2x6x5xf32>)
// CHECK: gpu.launch_func @kernels::@gemm_c blocks
// CHECK: %[[P:.*]] = memref.alloc() : memref<2x2x3x8xbf16>
// CHECK: %[[V:.*]] = memref.subview %[[P]][0, 0, 0, 0] [2, 2, 3, 5] [1, 1, 1, 1]
// CHECK: %[[T:.*]] = memref.collapse_shape %[[V]] {{\[}}[0, 1, 2], [3]] : memref<2x2x3x5xbf16, strided<[48, 24, 8, 1]>> into memref<12x5xbf16, strided<[8, 1]>>
// CHECK: gpu.launch_func @kernels::@gemm_tok_padded blocks {{.*}} args(%[[T]] : memref<12x5xbf16, strided<[8, 1]>>
// CHECK-SAME: a_dims = array<i64: 0, 1, -1>, a_strides = array<i64: 8, 1, 0>
module attributes {gpu.container_module} {
  func.func @kernel_users(%w: memref<5x6xbf16>, %out: memref<12x6xf32>) {
    %c1 = arith.constant 1 : index
    %a = memref.alloc() : memref<2x6x5xf32>
    gpu.launch_func @kernels::@flatten blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<2x6x5xf32>)
    gpu.launch_func @kernels::@gemm_c blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%w : memref<5x6xbf16>, %w : memref<5x6xbf16>, %a : memref<2x6x5xf32>) {ssm.library_call = {a_arg = 0 : i64, a_dims = array<i64: 0, 1, -1>, a_strides = array<i64: 6, 1, 0>, activation = "none", b_arg = 1 : i64, b_dims = array<i64: 0, 1, -1>, b_strides = array<i64: 6, 1, 0>, batch = 1 : i64, bias = "none", c_arg = 2 : i64, c_dims = array<i64: 1, 2, 0>, c_strides = array<i64: 5, 1, 0>, k = 6 : i64, m = 5 : i64, n = 6 : i64, op = "gemm"}}
    %p = memref.alloc() : memref<2x2x3x5xbf16>
    %t = memref.collapse_shape %p [[0, 1, 2], [3]] : memref<2x2x3x5xbf16> into memref<12x5xbf16>
    gpu.launch_func @kernels::@gemm_tok blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%t : memref<12x5xbf16>, %w : memref<5x6xbf16>, %out : memref<12x6xf32>) {ssm.library_call = {a_arg = 0 : i64, a_dims = array<i64: 0, 1, -1>, a_strides = array<i64: 5, 1, 0>, activation = "none", b_arg = 1 : i64, b_dims = array<i64: 0, 1, -1>, b_strides = array<i64: 6, 1, 0>, batch = 1 : i64, bias = "none", c_arg = 2 : i64, c_dims = array<i64: 0, 1, -1>, c_strides = array<i64: 6, 1, 0>, k = 5 : i64, m = 12 : i64, n = 6 : i64, op = "gemm"}}
    return
  }
  gpu.module @kernels {
    gpu.func @flatten(%a: memref<2x6x5xf32>) kernel {
      %r = memref.reinterpret_cast %a to offset: [0], sizes: [60], strides: [1] : memref<2x6x5xf32> to memref<60xf32>
      gpu.return
    }
    gpu.func @gemm_c(%a: memref<5x6xbf16>, %b: memref<5x6xbf16>, %c: memref<2x6x5xf32>) kernel {
      gpu.return
    }
    gpu.func @gemm_tok(%a: memref<12x5xbf16>, %b: memref<5x6xbf16>, %c: memref<12x6xf32>) kernel {
      gpu.return
    }
  }
}

// -----

// VMamba's stage-4 (b, c, h, w = 7 x 7) f32 map read as (b, c, h * w): the
// rows are the collapsed (h, w), so the padding goes after each 49-element
// row (52), and the other users see (b, c, h, w) with those strides.
// CHECK-LABEL: func.func @collapsed_rows
// CHECK: %[[P:.*]] = memref.alloc() : memref<2x3x52xf32>
// CHECK: %[[S:.*]] = memref.subview %[[P]][0, 0, 0] [2, 3, 49] [1, 1, 1] : memref<2x3x52xf32> to memref<2x3x49xf32, strided<[156, 52, 1]>>
// CHECK: %[[E:.*]] = memref.expand_shape %[[S]] {{\[}}[0], [1], [2, 3]] output_shape [2, 3, 7, 7] : memref<2x3x49xf32, strided<[156, 52, 1]>> into memref<2x3x7x7xf32, strided<[156, 52, 7, 1]>>
// CHECK: linalg.fill {{.*}} outs(%[[E]] : memref<2x3x7x7xf32, strided<[156, 52, 7, 1]>>)
// CHECK: %[[C:.*]] = memref.collapse_shape %[[E]] {{\[}}[0], [1], [2, 3]] : memref<2x3x7x7xf32, strided<[156, 52, 7, 1]>> into memref<2x3x49xf32, strided<[156, 52, 1]>>
// CHECK: gpu.launch_func @kernels::@gemm_padded {{.*}}args(%arg0 : memref<4x3xf32>, %[[C]] : memref<2x3x49xf32, strided<[156, 52, 1]>>, %arg1 : memref<2x4x49xf32>)
// CHECK-SAME: b_dims = array<i64: 1, 2, 0>, b_strides = array<i64: 52, 1, 156>
module attributes {gpu.container_module} {
  func.func @collapsed_rows(%w: memref<4x3xf32>, %out: memref<2x4x49xf32>) {
    %c1 = arith.constant 1 : index
    %zero = arith.constant 0.0 : f32
    %x = memref.alloc() : memref<2x3x7x7xf32>
    linalg.fill ins(%zero : f32) outs(%x : memref<2x3x7x7xf32>)
    %t = memref.collapse_shape %x [[0], [1], [2, 3]] : memref<2x3x7x7xf32> into memref<2x3x49xf32>
    gpu.launch_func @kernels::@gemm blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%w : memref<4x3xf32>, %t : memref<2x3x49xf32>, %out : memref<2x4x49xf32>) {ssm.library_call = {a_arg = 0 : i64, a_dims = array<i64: 0, 1, -1>, a_strides = array<i64: 3, 1, 0>, activation = "none", b_arg = 1 : i64, b_dims = array<i64: 1, 2, 0>, b_strides = array<i64: 49, 1, 147>, batch = 2 : i64, bias = "none", c_arg = 2 : i64, c_dims = array<i64: 1, 2, 0>, c_strides = array<i64: 49, 1, 196>, k = 3 : i64, m = 4 : i64, n = 49 : i64, op = "gemm"}}
    return
  }
  gpu.module @kernels {
    gpu.func @gemm(%a: memref<4x3xf32>, %b: memref<2x3x49xf32>, %c: memref<2x4x49xf32>) kernel {
      gpu.return
    }
  }
}

// -----

// The extents the padding holds (planLibraryGemmExtents): Vim's in_proj
// with l = 5 computes n = 8 into its channel-first result's padded rows;
// its token-major B (b, l, d = 8) reads rows 5..7 of a batch from the next
// batch and, for the last one, from 3 rows (24 elements) of slack after the
// buffer: a flat allocation the users see expanded to (2, 5, 8). The
// compiler's kernel still computes n = 5 (its clone only takes the types).
// CHECK-LABEL: func.func @extend_n
// CHECK: %[[C:.*]] = memref.subview %{{.*}}[0, 0, 0] [2, 4, 5] [1, 1, 1] : memref<2x4x8xf32> to memref<2x4x5xf32, strided<[32, 8, 1]>>
// CHECK: %[[FLAT:.*]] = memref.alloc() : memref<104xbf16>
// CHECK: %[[S:.*]] = memref.subview %[[FLAT]][0] [80] [1] : memref<104xbf16> to memref<80xbf16, strided<[1]>>
// CHECK: %[[X:.*]] = memref.expand_shape %[[S]] {{\[\[}}0, 1, 2]] output_shape [2, 5, 8] : memref<80xbf16, strided<[1]>> into memref<2x5x8xbf16>
// CHECK: linalg.fill {{.*}} outs(%[[X]] : memref<2x5x8xbf16>)
// CHECK: gpu.launch_func @kernels::@gemm_padded blocks {{.*}} args(%arg0 : memref<4x8xbf16>, %[[X]] : memref<2x5x8xbf16>, %[[C]] : memref<2x4x5xf32, strided<[32, 8, 1]>>)
// CHECK-SAME: b_strides = array<i64: 1, 8, 40>
// CHECK-SAME: c_strides = array<i64: 8, 1, 32>, k = 8 : i64, m = 4 : i64, n = 8 : i64
// CHECK: gpu.func @gemm_padded
// CHECK: memref.store %{{.*}} : memref<2x4x5xf32, strided<[32, 8, 1]>>
module attributes {gpu.container_module} {
  func.func @extend_n(%w: memref<4x8xbf16>, %sink: memref<2x4x5xf32>) {
    %c1 = arith.constant 1 : index
    %zero = arith.constant 0.0 : bf16
    %c = memref.alloc() : memref<2x4x5xf32>
    %x = memref.alloc() : memref<2x5x8xbf16>
    linalg.fill ins(%zero : bf16) outs(%x : memref<2x5x8xbf16>)
    gpu.launch_func @kernels::@gemm blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%w : memref<4x8xbf16>, %x : memref<2x5x8xbf16>, %c : memref<2x4x5xf32>) {ssm.library_call = {a_arg = 0 : i64, a_dims = array<i64: 0, 1, -1>, a_strides = array<i64: 8, 1, 0>, activation = "none", b_arg = 1 : i64, b_dims = array<i64: 2, 1, 0>, b_strides = array<i64: 1, 8, 40>, batch = 2 : i64, bias = "none", c_arg = 2 : i64, c_dims = array<i64: 1, 2, 0>, c_strides = array<i64: 5, 1, 20>, k = 8 : i64, m = 4 : i64, n = 5 : i64, op = "gemm"}}
    memref.copy %c, %sink : memref<2x4x5xf32> to memref<2x4x5xf32>
    return
  }
  gpu.module @kernels {
    gpu.func @gemm(%a: memref<4x8xbf16>, %b: memref<2x5x8xbf16>, %c: memref<2x4x5xf32>) kernel {
      %i = gpu.thread_id x
      %v = arith.constant 1.0 : f32
      memref.store %v, %c[%i, %i, %i] : memref<2x4x5xf32>
      gpu.return
    }
  }
}

// -----

// out_proj: the token-major (b, l = 5, d = 4) result of a channel-first A
// read as (m = l, k = e). Its rows 5..7 of a batch would be the next
// batch's valid rows, so it is allocated (b, 8, d) (dim -2 padded) and m
// becomes 8; a second such result that a user reads flattened cannot be
// and keeps m = 5.
// CHECK-LABEL: func.func @extend_m
// CHECK: %[[Y:.*]] = memref.subview %{{.*}}[0, 0, 0] [2, 6, 5] [1, 1, 1] : memref<2x6x8xbf16> to memref<2x6x5xbf16, strided<[48, 8, 1]>>
// CHECK: %[[O:.*]] = memref.subview %{{.*}}[0, 0, 0] [2, 5, 4] [1, 1, 1] : memref<2x8x4xf32> to memref<2x5x4xf32, strided<[32, 4, 1]>>
// CHECK: gpu.launch_func @kernels::@gemm_padded blocks {{.*}} args(%[[Y]] : memref<2x6x5xbf16, strided<[48, 8, 1]>>, %arg0 : memref<4x6xbf16>, %[[O]] : memref<2x5x4xf32, strided<[32, 4, 1]>>)
// CHECK-SAME: a_strides = array<i64: 1, 8, 48>
// CHECK-SAME: c_strides = array<i64: 4, 1, 32>, k = 6 : i64, m = 8 : i64, n = 4 : i64
// CHECK: %[[F:.*]] = memref.alloc() : memref<2x5x4xf32>
// CHECK: gpu.launch_func @kernels::@gemm_{{.*}} args(%[[Y]] : memref<2x6x5xbf16, strided<[48, 8, 1]>>, %arg0 : memref<4x6xbf16>, %[[F]] : memref<2x5x4xf32>)
// CHECK-SAME: c_strides = array<i64: 4, 1, 20>, k = 6 : i64, m = 5 : i64, n = 4 : i64
module attributes {gpu.container_module} {
  func.func @extend_m(%w: memref<4x6xbf16>, %sink: memref<2x5x4xf32>, %flat: memref<10x4xf32>) {
    %c1 = arith.constant 1 : index
    %zero = arith.constant 0.0 : bf16
    %y = memref.alloc() : memref<2x6x5xbf16>
    linalg.fill ins(%zero : bf16) outs(%y : memref<2x6x5xbf16>)
    %o = memref.alloc() : memref<2x5x4xf32>
    gpu.launch_func @kernels::@gemm blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%y : memref<2x6x5xbf16>, %w : memref<4x6xbf16>, %o : memref<2x5x4xf32>) {ssm.library_call = {a_arg = 0 : i64, a_dims = array<i64: 2, 1, 0>, a_strides = array<i64: 1, 5, 30>, activation = "none", b_arg = 1 : i64, b_dims = array<i64: 1, 0, -1>, b_strides = array<i64: 1, 6, 0>, batch = 2 : i64, bias = "none", c_arg = 2 : i64, c_dims = array<i64: 1, 2, 0>, c_strides = array<i64: 4, 1, 20>, k = 6 : i64, m = 5 : i64, n = 4 : i64, op = "gemm"}}
    memref.copy %o, %sink : memref<2x5x4xf32> to memref<2x5x4xf32>
    %f = memref.alloc() : memref<2x5x4xf32>
    gpu.launch_func @kernels::@gemm blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%y : memref<2x6x5xbf16>, %w : memref<4x6xbf16>, %f : memref<2x5x4xf32>) {ssm.library_call = {a_arg = 0 : i64, a_dims = array<i64: 2, 1, 0>, a_strides = array<i64: 1, 5, 30>, activation = "none", b_arg = 1 : i64, b_dims = array<i64: 1, 0, -1>, b_strides = array<i64: 1, 6, 0>, batch = 2 : i64, bias = "none", c_arg = 2 : i64, c_dims = array<i64: 1, 2, 0>, c_strides = array<i64: 4, 1, 20>, k = 6 : i64, m = 5 : i64, n = 4 : i64, op = "gemm"}}
    %t = memref.collapse_shape %f [[0, 1], [2]] : memref<2x5x4xf32> into memref<10x4xf32>
    memref.copy %t, %flat : memref<10x4xf32> to memref<10x4xf32>
    return
  }
  gpu.module @kernels {
    gpu.func @gemm(%a: memref<2x6x5xbf16>, %b: memref<4x6xbf16>, %c: memref<2x5x4xf32>) kernel {
      gpu.return
    }
  }
}

// -----

// VMamba's per-direction x_proj: two GEMMs write f32 results in place into
// one (b, 2 * 6, l = 4) buffer, reading a bf16 (b, 3, l) input. The f32 rows
// (16 bytes) are aligned, but the bf16 input wants n in multiples of 8: the
// result's rows get the same pitch (8), and each GEMM computes n = 8, its
// extra columns in its rows' padding (the second one at an offset).
// CHECK-LABEL: func.func @direction_slices
// CHECK: %[[X:.*]] = memref.alloc() : memref<2x3x8xbf16>
// CHECK: %[[C:.*]] = memref.alloc() : memref<2x12x8xf32>
// CHECK: memref.subview %[[C]][0, 0, 0] [2, 12, 4] [1, 1, 1] : memref<2x12x8xf32> to memref<2x12x4xf32, strided<[96, 8, 1]>>
// CHECK: gpu.launch_func @kernels::@gemm_padded blocks {{.*}} memref<2x6x4xf32, strided<[96, 8, 1]>>)
// CHECK-SAME: c_strides = array<i64: 8, 1, 96>
// CHECK-SAME: n = 8
// CHECK: gpu.launch_func @kernels::@gemm1_padded blocks {{.*}} memref<2x6x4xf32, strided<[96, 8, 1], offset: 48>>)
// CHECK-SAME: c_strides = array<i64: 8, 1, 96>
// CHECK-SAME: n = 8
module attributes {gpu.container_module} {
  func.func @direction_slices(%w: memref<12x3xbf16>) {
    %c1 = arith.constant 1 : index
    %x = memref.alloc() : memref<2x3x4xbf16>
    %c = memref.alloc() : memref<2x12x4xf32>
    %w0 = memref.subview %w[0, 0] [6, 3] [1, 1] : memref<12x3xbf16> to memref<6x3xbf16, strided<[3, 1]>>
    %c0 = memref.subview %c[0, 0, 0] [2, 6, 4] [1, 1, 1] : memref<2x12x4xf32> to memref<2x6x4xf32, strided<[48, 4, 1]>>
    gpu.launch_func @kernels::@gemm blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%w0 : memref<6x3xbf16, strided<[3, 1]>>, %x : memref<2x3x4xbf16>, %c0 : memref<2x6x4xf32, strided<[48, 4, 1]>>) {ssm.library_call = {a_arg = 0 : i64, a_dims = array<i64: 0, 1, -1>, a_strides = array<i64: 3, 1, 0>, activation = "none", b_arg = 1 : i64, b_dims = array<i64: 1, 2, 0>, b_strides = array<i64: 4, 1, 12>, batch = 2 : i64, bias = "none", c_arg = 2 : i64, c_dims = array<i64: 1, 2, 0>, c_strides = array<i64: 4, 1, 48>, k = 3 : i64, m = 6 : i64, n = 4 : i64, op = "gemm"}}
    %w1 = memref.subview %w[6, 0] [6, 3] [1, 1] : memref<12x3xbf16> to memref<6x3xbf16, strided<[3, 1], offset: 18>>
    %c6 = memref.subview %c[0, 6, 0] [2, 6, 4] [1, 1, 1] : memref<2x12x4xf32> to memref<2x6x4xf32, strided<[48, 4, 1], offset: 24>>
    gpu.launch_func @kernels::@gemm1 blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%w1 : memref<6x3xbf16, strided<[3, 1], offset: 18>>, %x : memref<2x3x4xbf16>, %c6 : memref<2x6x4xf32, strided<[48, 4, 1], offset: 24>>) {ssm.library_call = {a_arg = 0 : i64, a_dims = array<i64: 0, 1, -1>, a_strides = array<i64: 3, 1, 0>, activation = "none", b_arg = 1 : i64, b_dims = array<i64: 1, 2, 0>, b_strides = array<i64: 4, 1, 12>, batch = 2 : i64, bias = "none", c_arg = 2 : i64, c_dims = array<i64: 1, 2, 0>, c_strides = array<i64: 4, 1, 48>, k = 3 : i64, m = 6 : i64, n = 4 : i64, op = "gemm"}}
    return
  }
  gpu.module @kernels {
    gpu.func @gemm(%a: memref<6x3xbf16, strided<[3, 1]>>, %b: memref<2x3x4xbf16>, %c: memref<2x6x4xf32, strided<[48, 4, 1]>>) kernel {
      gpu.return
    }
    gpu.func @gemm1(%a: memref<6x3xbf16, strided<[3, 1], offset: 18>>, %b: memref<2x3x4xbf16>, %c: memref<2x6x4xf32, strided<[48, 4, 1], offset: 24>>) kernel {
      gpu.return
    }
  }
}

// -----

// FastVim's in_proj: the token-major B is a (b, h, w, d) buffer read
// collapsed as (b, h * w = 5, d = 8). It grows like @extend_n's (3 rows of
// slack after the last batch), through the reshape: a flat allocation
// expanded to (b, h, w, d), which the GEMM still reads collapsed.
// CHECK-LABEL: func.func @extend_n_through_reshape
// CHECK: %[[FLAT:.*]] = memref.alloc() : memref<104xbf16>
// CHECK: %[[S:.*]] = memref.subview %[[FLAT]][0] [80] [1] : memref<104xbf16> to memref<80xbf16, strided<[1]>>
// CHECK: %[[X:.*]] = memref.expand_shape %[[S]] {{\[\[}}0, 1, 2, 3]] output_shape [2, 1, 5, 8] : memref<80xbf16, strided<[1]>> into memref<2x1x5x8xbf16>
// CHECK: %[[B:.*]] = memref.collapse_shape %[[X]] {{\[\[}}0], [1, 2], [3]] : memref<2x1x5x8xbf16> into memref<2x5x8xbf16>
// CHECK: gpu.launch_func @kernels::@gemm_padded blocks {{.*}} args(%arg0 : memref<4x8xbf16>, %[[B]] : memref<2x5x8xbf16>,
// CHECK-SAME: n = 8 : i64
module attributes {gpu.container_module} {
  func.func @extend_n_through_reshape(%w: memref<4x8xbf16>, %sink: memref<2x4x5xf32>) {
    %c1 = arith.constant 1 : index
    %zero = arith.constant 0.0 : bf16
    %c = memref.alloc() : memref<2x4x5xf32>
    %x = memref.alloc() : memref<2x1x5x8xbf16>
    linalg.fill ins(%zero : bf16) outs(%x : memref<2x1x5x8xbf16>)
    %b = memref.collapse_shape %x [[0], [1, 2], [3]] : memref<2x1x5x8xbf16> into memref<2x5x8xbf16>
    gpu.launch_func @kernels::@gemm blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%w : memref<4x8xbf16>, %b : memref<2x5x8xbf16>, %c : memref<2x4x5xf32>) {ssm.library_call = {a_arg = 0 : i64, a_dims = array<i64: 0, 1, -1>, a_strides = array<i64: 8, 1, 0>, activation = "none", b_arg = 1 : i64, b_dims = array<i64: 2, 1, 0>, b_strides = array<i64: 1, 8, 40>, batch = 2 : i64, bias = "none", c_arg = 2 : i64, c_dims = array<i64: 1, 2, 0>, c_strides = array<i64: 5, 1, 20>, k = 8 : i64, m = 4 : i64, n = 5 : i64, op = "gemm"}}
    memref.copy %c, %sink : memref<2x4x5xf32> to memref<2x4x5xf32>
    return
  }
  gpu.module @kernels {
    gpu.func @gemm(%a: memref<4x8xbf16>, %b: memref<2x5x8xbf16>, %c: memref<2x4x5xf32>) kernel {
      gpu.return
    }
  }
}
