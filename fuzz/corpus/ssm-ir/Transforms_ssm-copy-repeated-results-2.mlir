
// A dynamic shape is copied (sizes from the source).
// CHECK-LABEL: func.func @dynamic(
// CHECK: %[[C:.*]] = bufferization.alloc_tensor() copy(%arg0) : tensor<?xf32>
// CHECK: return %arg0, %[[C]]
func.func @dynamic(%a: tensor<?xf32>) -> (tensor<?xf32>, tensor<?xf32>) {
  return %a, %a : tensor<?xf32>, tensor<?xf32>
}
