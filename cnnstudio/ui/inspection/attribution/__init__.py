"""What a prediction rests on (Grad-CAM, occlusion, saliency) and how little it takes to change it (fooling)."""
