"""What the Inspect tab computes, without Qt: every function takes any `nn.Module` and plain tensors.

    images        predict, class_index: the predictions for an input (made by cnnstudio.data.pipeline)
    activations   list_layers, capture (early stop), channel_stats, default_target_layer
    featuremaps   render_feature_maps (grid, sorting, dead channels), layer_strip
    tiles         tile_maps / tile_images: many maps → one RGB picture with a colour map
    colormaps     colour tables, overlay of a heat map on an image
    filters       conv_layers, kernels_of, render_kernels
    weightstats   weight_histograms, snapshot, compare_weights
    arithmetic    explain_conv, explain_pool, following_activation, convolve_grid
    attribution   grad_cam (Grad-CAM, Grad-CAM++), occlusion, saliency (gradient, guided)
    synthesis     maximize_activation, deep_dream (progressive generators)
    adversarial   adversarial_example (FGSM, PGD)
    embedding     extract_features, project (PCA, t-SNE), nearest_neighbours
    commands      the `cnnstudio inspect` command line

The submodules are imported one by one (nothing is re-exported here), so registering the command line
or using one view does not load torch's heavier companions (captum, scikit-learn) needlessly.
"""
