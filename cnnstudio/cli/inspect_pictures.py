"""The Inspect tab's pictures of a network from the command line: feature maps, filters, activation
maximization and DeepDream."""

from __future__ import annotations

import argparse
from collections import deque
from collections.abc import Iterator
from typing import TYPE_CHECKING

from cnnstudio.cli.inspect_common import (
    Action,
    InspectedModel,
    blank_input,
    chosen_class,
    image_input,
    print_predictions,
    save_picture,
)
from cnnstudio.cli.options import add_seed, positive_int

if TYPE_CHECKING:
    from cnnstudio.viz.synthesis import SynthesisStep

GALLERY_SIZE = 16
# The argparse choices; tests check they equal the library's own lists (imported lazily here).
SORT_CHOICES = ("channel", "mean")
COLORMAP_CHOICES = ("viridis", "inferno", "magma", "plasma", "turbo", "jet", "gray", "diverging")


def _last(steps: Iterator[SynthesisStep]) -> SynthesisStep:
    """Run a progressive computation to the end (the GUI shows every step; a file needs the last)."""
    return deque(steps, maxlen=1)[0]


def run_activations(args: argparse.Namespace, model: InspectedModel) -> None:
    from cnnstudio.viz.activations import capture, default_target_layer, list_layers
    from cnnstudio.viz.featuremaps import render_feature_maps
    from cnnstudio.viz.images import predict

    x = image_input(args, model)
    layer = args.layer or default_target_layer(list_layers(model.module, x))
    activation = capture(model.module, x, [layer])[layer][0]
    side = max(activation.shape[1:]) if activation.dim() == 3 else 1
    view = render_feature_maps(
        activation,
        sort=args.sort,
        hide_dead=args.hide_dead,
        scaling=args.scaling,
        colormap=args.colormap,
        scale=args.scale or max(1, 48 // side),
    )
    stats = view.stats
    print(
        f"{layer}: {tuple(activation.shape)}, values {stats.minimum.min():.4g} … {stats.maximum.max():.4g}, "
        f"{int(stats.dead.sum())} dead channel(s)"
    )
    print_predictions(predict(model.module, x, model.classes, top=3, multilabel=model.multilabel))
    save_picture(view.tiles.image, args.output)


def run_filters(args: argparse.Namespace, model: InspectedModel) -> None:
    from cnnstudio.viz.filters import conv_layers, kernels_of, render_kernels
    from cnnstudio.viz.runtime import InspectError

    layers = conv_layers(model.module)
    if not layers and not args.layer:
        raise InspectError("the model has no convolution layers")
    layer = args.layer or layers[0]
    view = render_kernels(kernels_of(model.module, layer), scale=args.scale or 8)
    low, high = view.value_range
    print(
        f"{layer}: {view.outputs} kernel(s)"
        + ("" if view.rgb else f" × {view.inputs} input channel(s)")
        + f", colour scale {low:.4g} … {high:.4g}"
    )
    save_picture(view.tiles.image, args.output)


def run_maximize(args: argparse.Namespace, model: InspectedModel) -> None:
    from cnnstudio.viz.activations import capture
    from cnnstudio.viz.runtime import InspectError
    from cnnstudio.viz.synthesis import maximize_activation
    from cnnstudio.viz.tiles import tile_images

    if args.class_ is not None and args.layer:
        raise InspectError("give either --class (a class of the output) or --layer (channels of a layer), not both")
    if args.class_ is None and not args.layer:
        raise InspectError("maximize needs --class C or --layer L")
    if args.class_ is not None:
        units = [chosen_class(args, model, blank_input(model))]
    elif args.channel is not None:
        units = [args.channel]
    else:  # a gallery of the layer's first channels
        channels = capture(model.module, blank_input(model), [args.layer])[args.layer].shape[1]
        units = list(range(min(GALLERY_SIZE, channels)))
    size = (args.size, args.size) if args.size else None
    last = _last(
        maximize_activation(
            model.module,
            model.preprocessing,
            units,
            args.layer,
            steps=args.steps,
            jitter=args.jitter,
            size=size,
            seed=args.seed,
        )
    )
    what = f"{args.layer} channel(s) {units[0]}…{units[-1]}" if args.layer else f"class {units[0]}"
    print(f"{what}: activation {', '.join(f'{value:.4g}' for value in last.objective)} after {last.steps} steps")
    save_picture(tile_images(last.images, scale=args.scale or 1).image, args.output)


def run_deepdream(args: argparse.Namespace, model: InspectedModel) -> None:
    from cnnstudio.viz.activations import list_layers, middle_spatial_layer
    from cnnstudio.viz.synthesis import deep_dream

    x = image_input(args, model)
    layer = args.layer or middle_spatial_layer(list_layers(model.module, x))
    last = _last(
        deep_dream(
            model.module,
            x,
            model.preprocessing,
            layer,
            channel=args.channel,
            octaves=args.octaves,
            steps=args.steps,
            strength=args.strength,
            seed=args.seed,
        )
    )
    print(f"DeepDream on {layer}: {last.steps} steps, objective {last.objective[0]:.4g}")
    save_picture(last.images[0], args.output)


def _scale_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scale", type=positive_int, help="enlarge each tile this many times")


def _activations_arguments(parser: argparse.ArgumentParser) -> None:
    _scale_argument(parser)
    parser.add_argument("--sort", choices=SORT_CHOICES, default="channel", help="tile order (mean: most active first)")
    parser.add_argument("--hide-dead", action="store_true", help="leave out channels that are zero everywhere")
    parser.add_argument(
        "--scaling",
        choices=("shared", "channel"),
        default="shared",
        help="one colour scale for all tiles, or one per channel",
    )
    parser.add_argument("--colormap", choices=COLORMAP_CHOICES, default="viridis")


def _synthesis_arguments(parser: argparse.ArgumentParser, steps: int, per_octave: bool) -> None:
    parser.add_argument("--channel", type=int, help="one channel of --layer")
    parser.add_argument(
        "--steps", type=positive_int, default=steps, help="gradient steps" + (" per octave" if per_octave else "")
    )
    add_seed(parser, default=0, what="random seed (initial image, jitter)")


def _maximize_arguments(parser: argparse.ArgumentParser) -> None:
    _scale_argument(parser)
    _synthesis_arguments(parser, 64, per_octave=False)
    parser.add_argument("--size", type=positive_int, help="side of the synthesized image (default: the model's input)")
    parser.add_argument("--jitter", type=int, default=4, help="random shift in pixels before each step")


def _deepdream_arguments(parser: argparse.ArgumentParser) -> None:
    _synthesis_arguments(parser, 10, per_octave=True)
    parser.add_argument("--octaves", type=positive_int, default=3)
    parser.add_argument("--strength", type=float, default=0.02, help="pixel change per step")


ACTIONS = {
    "activations": Action(
        "all channels of a layer's output for an image, as a grid", run_activations, _activations_arguments, image=True
    ),
    "filters": Action("a convolution's kernels (RGB patches for a first layer)", run_filters, _scale_argument),
    "maximize": Action(
        "synthesize the input that most excites a class, or channels of a layer",
        run_maximize,
        _maximize_arguments,
        target=True,
    ),
    "deepdream": Action("DeepDream an image at a layer", run_deepdream, _deepdream_arguments, image=True),
}
