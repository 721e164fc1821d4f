"""`cnnstudio inspect ACTION`: the Inspect tab's pictures from the command line, written as PNG files.

    cnnstudio inspect activations --model M --image IMG [--layer L] -o maps.png
    cnnstudio inspect filters     --model M [--layer L] -o kernels.png
    cnnstudio inspect gradcam     --model M --image IMG [--layer L] [--class C] -o cam.png
    cnnstudio inspect occlusion   --model M --image IMG [--class C] -o occlusion.png
    cnnstudio inspect maximize    --model M (--class C | --layer L [--channel K]) -o unit.png
    cnnstudio inspect deepdream   --model M --image IMG [--layer L] -o dream.png

Every action calls the same cnnstudio.viz functions as the GUI. Errors print one line on stderr and
exit with status 2. Registering the command imports nothing heavy (torch, captum and scikit-learn load
when an action runs), so other `cnnstudio` commands start as fast as before.
"""

from __future__ import annotations

import argparse
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cnnstudio.cli.exit_codes import ExitCode
from cnnstudio.cli.prediction import positive_int, run_guarded

if TYPE_CHECKING:
    import numpy as np
    import torch
    from torch import nn

    from cnnstudio.data.pipeline import Preprocessing
    from cnnstudio.viz.attribution import Attribution
    from cnnstudio.viz.synthesis import SynthesisStep

ACTIONS = ("activations", "filters", "gradcam", "occlusion", "maximize", "deepdream")
GALLERY_SIZE = 16
# The argparse choices; tests check they equal the library's own lists (imported lazily here).
RESIZE_CHOICES = ("crop", "stretch")
SORT_CHOICES = ("channel", "mean")
COLORMAP_CHOICES = ("viridis", "inferno", "magma", "plasma", "turbo", "jet", "gray", "diverging")
CAM_CHOICES = ("gradcam", "gradcam++")


@dataclass(frozen=True)
class InspectedModel:
    module: nn.Module
    preprocessing: Preprocessing
    classes: list[str] | None
    name: str


def open_model(text: str) -> InspectedModel:
    """Resolve --model with cnnstudio.pretrained.load_classifier (run directories, checkpoints, designs with
    weights beside them, efficientnet_lite0, torchvision:NAME)."""
    from cnnstudio.pretrained import load_classifier

    classifier = load_classifier(text)
    classes = list(classifier.classes) if classifier.classes else None
    return InspectedModel(classifier.module, classifier.preprocessing, classes, classifier.name)


def _image(args: argparse.Namespace, model: InspectedModel) -> torch.Tensor:
    """--image through the model's own pipeline (upright, fitted as the model was evaluated, or stretched)."""
    from cnnstudio.viz.runtime import InspectError

    if not args.image:
        raise InspectError(f"{args.action} needs --image")
    return model.preprocessing.with_fit(args.resize).tensor(args.image)


def _blank(model: InspectedModel) -> torch.Tensor:
    import torch

    return torch.zeros(1, *model.preprocessing.input_shape)


def _class(args: argparse.Namespace, model: InspectedModel, x: torch.Tensor) -> int | None:
    """--class as an index (None when not given), checked against the model's number of outputs."""
    import torch

    from cnnstudio.viz.images import class_index
    from cnnstudio.viz.runtime import evaluating

    if args.class_ is None:
        return None
    with evaluating(model.module), torch.no_grad():
        count = model.module(x).flatten(1).shape[1]
    return class_index(args.class_, model.classes, count)


def _print_predictions(model: InspectedModel, x: torch.Tensor) -> None:
    from cnnstudio.viz.images import predict

    for prediction in predict(model.module, x, model.classes, top=3):
        print(f"  {prediction.prob:6.1%}  {prediction.label} ({prediction.index})")


def _save(picture: np.ndarray, output: str) -> None:
    from PIL import Image

    Image.fromarray(picture).save(output)
    print(f"wrote {output} ({picture.shape[1]}×{picture.shape[0]})")


def _last(steps: Iterator[SynthesisStep]) -> SynthesisStep:
    """Run a progressive computation to the end (the GUI shows every step; a file needs the last)."""
    return deque(steps, maxlen=1)[0]


def run_activations(args: argparse.Namespace, model: InspectedModel) -> None:
    from cnnstudio.viz.activations import capture, default_target_layer, list_layers
    from cnnstudio.viz.featuremaps import render_feature_maps

    x = _image(args, model)
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
    _print_predictions(model, x)
    _save(view.tiles.image, args.output)


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
    _save(view.tiles.image, args.output)


def _run_heat(
    args: argparse.Namespace, model: InspectedModel, compute: Callable[[torch.Tensor, int | None], Attribution]
) -> None:
    from cnnstudio.data.pipeline import display_image
    from cnnstudio.pretrained.predictions import class_label
    from cnnstudio.viz.colormaps import overlay

    x = _image(args, model)
    attribution = compute(x, _class(args, model, x))
    print(
        f"{attribution.method}{' of ' + attribution.layer if attribution.layer else ''} for class "
        f"{class_label(attribution.target, model.classes)} ({attribution.target})"
    )
    _print_predictions(model, x)
    _save(overlay(display_image(x, model.preprocessing), attribution.heat, opacity=args.opacity), args.output)


def run_gradcam(args: argparse.Namespace, model: InspectedModel) -> None:
    from cnnstudio.viz.activations import default_target_layer, list_layers
    from cnnstudio.viz.attribution import grad_cam

    def compute(x: torch.Tensor, target: int | None) -> Attribution:
        layer = args.layer or default_target_layer(list_layers(model.module, x))
        return grad_cam(model.module, x, layer, target, method=args.method)

    _run_heat(args, model, compute)


def run_occlusion(args: argparse.Namespace, model: InspectedModel) -> None:
    from cnnstudio.viz.attribution import occlusion

    def compute(x: torch.Tensor, target: int | None) -> Attribution:
        return occlusion(model.module, x, target, patch=args.patch, stride=args.stride)

    _run_heat(args, model, compute)


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
        units = [_class(args, model, _blank(model))]
    elif args.channel is not None:
        units = [args.channel]
    else:  # a gallery of the layer's first channels
        channels = capture(model.module, _blank(model), [args.layer])[args.layer].shape[1]
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
    _save(tile_images(last.images, scale=args.scale or 1).image, args.output)


def run_deepdream(args: argparse.Namespace, model: InspectedModel) -> None:
    from cnnstudio.viz.activations import list_layers, middle_spatial_layer
    from cnnstudio.viz.synthesis import deep_dream

    x = _image(args, model)
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
    _save(last.images[0], args.output)


_RUNNERS: dict[str, Callable[[argparse.Namespace, InspectedModel], None]] = {
    "activations": run_activations,
    "filters": run_filters,
    "gradcam": run_gradcam,
    "occlusion": run_occlusion,
    "maximize": run_maximize,
    "deepdream": run_deepdream,
}


def cmd_inspect(args: argparse.Namespace) -> int:
    def body() -> int:
        _RUNNERS[args.action](args, open_model(args.model))
        return ExitCode.OK

    return run_guarded(f"inspect {args.action}", body)


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, not {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, not {value}")
    return value


_HELP = {
    "activations": "all channels of a layer's output for an image, as a grid",
    "filters": "a convolution's kernels (RGB patches for a first layer)",
    "gradcam": "Grad-CAM heat map over the image",
    "occlusion": "occlusion sensitivity over the image",
    "maximize": "synthesize the input that most excites a class, or channels of a layer",
    "deepdream": "DeepDream an image at a layer",
}


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    """Register `inspect` and its actions on the `cnnstudio` command's subparsers."""
    parser = subparsers.add_parser(
        "inspect", help="feature maps, filters, Grad-CAM, occlusion, activation maximization, DeepDream (writes a PNG)"
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    for action in ACTIONS:
        p = actions.add_parser(action, help=_HELP[action], description=_HELP[action])
        p.add_argument(
            "--model",
            required=True,
            help="a run directory, checkpoint, .cnn.json design, efficientnet_lite0 or torchvision:NAME",
        )
        p.add_argument("-o", "--output", required=True, help="the PNG file to write")
        p.add_argument("--layer", help="layer name (a design's node id, or a module path)")
        if action in ("activations", "gradcam", "occlusion", "deepdream"):
            p.add_argument("--image", help="the image file to look at")
            p.add_argument(
                "--resize",
                choices=RESIZE_CHOICES,
                default="crop",
                help="fit the image to the model's input as the model was evaluated (crop, the default: "
                "scale to cover and cut the centre) or by stretching the whole image",
            )
        if action in ("gradcam", "occlusion", "maximize"):
            p.add_argument("--class", dest="class_", metavar="C", help="class index or name (default: predicted)")
        if action in ("gradcam", "occlusion"):
            p.add_argument("--opacity", type=_fraction, default=0.5, help="heat-map opacity (0…1)")
        if action in ("activations", "filters", "maximize"):
            p.add_argument("--scale", type=positive_int, help="enlarge each tile this many times")
        if action == "activations":
            p.add_argument(
                "--sort", choices=SORT_CHOICES, default="channel", help="tile order (mean: most active first)"
            )
            p.add_argument("--hide-dead", action="store_true", help="leave out channels that are zero everywhere")
            p.add_argument(
                "--scaling",
                choices=("shared", "channel"),
                default="shared",
                help="one colour scale for all tiles, or one per channel",
            )
            p.add_argument("--colormap", choices=COLORMAP_CHOICES, default="viridis")
        if action == "gradcam":
            p.add_argument("--method", choices=CAM_CHOICES, default="gradcam")
        if action == "occlusion":
            p.add_argument("--patch", type=positive_int, default=16, help="occluding square, in pixels")
            p.add_argument("--stride", type=positive_int, default=8, help="step between squares, in pixels")
        if action in ("maximize", "deepdream"):
            p.add_argument("--channel", type=int, help="one channel of --layer")
            p.add_argument(
                "--steps",
                type=positive_int,
                default=64 if action == "maximize" else 10,
                help="gradient steps" + (" per octave" if action == "deepdream" else ""),
            )
            p.add_argument("--seed", type=int, default=0, help="random seed (initial image, jitter)")
        if action == "maximize":
            p.add_argument(
                "--size", type=positive_int, help="side of the synthesized image (default: the model's input)"
            )
            p.add_argument("--jitter", type=int, default=4, help="random shift in pixels before each step")
        if action == "deepdream":
            p.add_argument("--octaves", type=positive_int, default=3)
            p.add_argument("--strength", type=float, default=0.02, help="pixel change per step")
        p.set_defaults(func=cmd_inspect)
