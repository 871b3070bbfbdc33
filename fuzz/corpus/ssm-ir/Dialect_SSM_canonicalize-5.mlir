
// CHECK-LABEL: func.func @merge_of_scan_single
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x3x3xbf16>)
// CHECK-NEXT: return %[[X]]
func.func @merge_of_scan_single(%x: tensor<1x2x3x3xbf16>) -> tensor<1x2x3x3xbf16> {
  %xs = ssm.cross_scan %x [col_rev] : tensor<1x2x3x3xbf16>
  %y = ssm.cross_merge %xs [col_rev] height 3 width 3 : tensor<1x1x2x9xbf16>
  return %y : tensor<1x2x3x3xbf16>
}

