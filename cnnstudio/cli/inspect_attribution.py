"""The Inspect tab's Attribution and Fooling views from the command line: Grad-CAM, occlusion and saliency
heat maps over the image, and adversarial examples (FGSM, PGD) with the prediction they fool."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING

from cnnstudio.cli.inspect_common import (
    Action,
    InspectedModel,
    chosen_class,
    image_input,
    predictions_json,
    print_json,
    print_predictions,
    save_picture,
)
from cnnstudio.cli.options import add_json, fraction_type, positive_int
from cnnstudio.cli.prediction import stderr_progress

if TYPE_CHECKING:
    import torch

    from cnnstudio.viz.attribution import Attribution

# The argparse choices; tests check they equal the library's own lists (imported lazily here).
CAM_CHOICES = ("gradcam", "gradcam++")
SALIENCY_CHOICES = ("gradient", "guided")
MAX_EPSILON = 64  # in pixel levels of an 8-bit image: beyond it the change is plainly visible


def _levels(text: str) -> int:
    value = positive_int(text)
    if value > MAX_EPSILON:
        raise argparse.ArgumentTypeError(f"at most {MAX_EPSILON} levels (of 255), not {value}")
    return value


def _run_heat(
    args: argparse.Namespace, model: InspectedModel, compute: Callable[[torch.Tensor, int | None], Attribution]
) -> None:
    from cnnstudio.data.pipeline import display_image
    from cnnstudio.pretrained.predictions import class_label
    from cnnstudio.viz.colormaps import overlay
    from cnnstudio.viz.images import predict

    x = image_input(args, model)
    attribution = compute(x, chosen_class(args, model, x))
    print(
        f"{attribution.method}{' of ' + attribution.layer if attribution.layer else ''} for class "
        f"{class_label(attribution.target, model.classes)} ({attribution.target})"
    )
    print_predictions(predict(model.module, x, model.classes, top=3, multilabel=model.multilabel))
    save_picture(overlay(display_image(x, model.preprocessing), attribution.heat, opacity=args.opacity), args.output)


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
        return occlusion(model.module, x, target, patch=args.patch, stride=args.stride, progress=stderr_progress)

    _run_heat(args, model, compute)


def run_saliency(args: argparse.Namespace, model: InspectedModel) -> None:
    from cnnstudio.viz.attribution import saliency

    def compute(x: torch.Tensor, target: int | None) -> Attribution:
        return saliency(model.module, x, target, method=args.method)

    _run_heat(args, model, compute)


def run_adversarial(args: argparse.Namespace, model: InspectedModel) -> None:
    from cnnstudio.viz.adversarial import adversarial_example

    x = image_input(args, model)
    example = adversarial_example(
        model.module,
        x,
        model.preprocessing,
        epsilon=args.epsilon / 255,
        steps=args.steps,
        target=chosen_class(args, model, x),
        classes=model.classes,
    )
    fooled = example.after[0].index != example.before[0].index  # the prediction flipped, as the Fooling view says
    save_picture(example.image, args.output, quiet=args.json)
    if args.perturbation:
        save_picture(example.perturbation, args.perturbation, quiet=args.json)
    attack = "FGSM" if args.steps == 1 else f"PGD ({args.steps} steps)"
    if args.json:
        print_json(
            {
                "attack": attack,
                "epsilon": args.epsilon,
                "linf": round(example.linf * 255, 3),
                "targeted": example.targeted,
                "class": example.label,
                "fooled": fooled,
                "reached_class": example.after[0].index == example.label if example.targeted else None,
                "before": predictions_json(example.before),
                "after": predictions_json(example.after),
                "image": args.output,
                "perturbation": args.perturbation,
            }
        )
        return
    print(f"{attack}, ε = {args.epsilon}/255 (largest pixel change {example.linf * 255:.1f}/255)")
    print("before:")
    print_predictions(example.before)
    print("after:" + ("  (fooled)" if fooled else "  (not fooled: try a larger --epsilon or more --steps)"))
    print_predictions(example.after)
    if example.targeted and example.after[0].index != example.label:
        print(f"not yet class {example.label}: try a larger --epsilon or more --steps")


def _heat_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--opacity", type=fraction_type(one=True), default=0.5, help="heat-map opacity (0…1)")


def _gradcam_arguments(parser: argparse.ArgumentParser) -> None:
    _heat_arguments(parser)
    parser.add_argument("--method", choices=CAM_CHOICES, default="gradcam")


def _occlusion_arguments(parser: argparse.ArgumentParser) -> None:
    _heat_arguments(parser)
    parser.add_argument("--patch", type=positive_int, default=16, help="occluding square, in pixels")
    parser.add_argument("--stride", type=positive_int, default=8, help="step between squares, in pixels")


def _saliency_arguments(parser: argparse.ArgumentParser) -> None:
    _heat_arguments(parser)
    parser.add_argument(
        "--method",
        choices=SALIENCY_CHOICES,
        default="gradient",
        help="the plain gradient, or guided backprop (only positive gradients through the ReLUs)",
    )


def _adversarial_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--epsilon", type=_levels, default=2, help="largest change of a pixel, in levels of 255 (default: 2)"
    )
    parser.add_argument("--steps", type=positive_int, default=1, help="1: FGSM (default); more: PGD with this many")
    parser.add_argument("--perturbation", metavar="PNG", help="also write the change, magnified, to this file")
    add_json(parser, "the predictions before and after as JSON")


ACTIONS = {
    "gradcam": Action("Grad-CAM heat map over the image", run_gradcam, _gradcam_arguments, image=True, target=True),
    "occlusion": Action(
        "occlusion sensitivity over the image", run_occlusion, _occlusion_arguments, image=True, target=True
    ),
    "saliency": Action(
        "saliency (gradient or guided backprop) over the image",
        run_saliency,
        _saliency_arguments,
        image=True,
        target=True,
        layer=False,
    ),
    "adversarial": Action(
        "an adversarial example (FGSM or PGD): writes the perturbed image, prints the fooled prediction; "
        "--class C pushes it towards class C",
        run_adversarial,
        _adversarial_arguments,
        image=True,
        target=True,
        output="the perturbed image to write (PNG)",
        layer=False,
    ),
}
