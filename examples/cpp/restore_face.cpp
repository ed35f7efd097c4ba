// Restore one aligned face crop with a GPEN model.
//   restore_face MODEL.pt FACE.png OUT.png
#include <gpen/gpen.hpp>

#include <iostream>

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: restore_face MODEL.pt FACE.png OUT.png\n";
    return 2;
  }
  try {
    gpen::RestorerOptions options;
    options.model_path = argv[1];
    gpen::Restorer restorer(options);  // load once, restore many; thread-safe

    gpen::RestoreParams params;  // defaults: the model's own output
    params.strength = 90;        // keep 10% of the original face
    params.sharpen = 10;

    const gpen::Image face = gpen::read_image(argv[2]);
    const gpen::Image restored = restorer.restore_face(face.view(), params);
    gpen::write_image(argv[3], restored.view());
    std::cout << "restored " << argv[2] << " with a " << restorer.model().size << "px GPEN model -> "
              << argv[3] << "\n";
  } catch (const gpen::Error& e) {
    std::cerr << "error (" << gpen::error_code_name(e.code()) << "): " << e.what() << "\n";
    return 1;
  }
  return 0;
}
