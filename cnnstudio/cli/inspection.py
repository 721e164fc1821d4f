"""`cnnstudio inspect ACTION`: the Inspect tab's views from the command line.

    cnnstudio inspect activations --model M --image IMG [--layer L] -o maps.png
    cnnstudio inspect filters     --model M [--layer L] -o kernels.png
    cnnstudio inspect gradcam     --model M --image IMG [--layer L] [--class C] -o cam.png
    cnnstudio inspect occlusion   --model M --image IMG [--class C] -o occlusion.png
    cnnstudio inspect saliency    --model M --image IMG [--class C] [--method guided] -o saliency.png
    cnnstudio inspect adversarial --model M --image IMG [--epsilon 2] [--steps 10] [--class C] -o fooled.png [--json]
    cnnstudio inspect embedding   --model M --data SET [--method tsne] -o points.csv [--plot points.png] [--json]
    cnnstudio inspect arithmetic  --model M --image IMG --layer L [--channel K --row R --col C] [--json]
    cnnstudio inspect maximize    --model M (--class C | --layer L [--channel K]) -o unit.png
    cnnstudio inspect deepdream   --model M --image IMG [--layer L] -o dream.png

Every action calls the same cnnstudio.viz functions as the window (cli/inspect_pictures.py,
inspect_attribution.py, inspect_data.py). Errors print one line on stderr and exit with status 2. Registering
the command imports nothing heavy (torch, captum and scikit-learn load when an action runs), so other
`cnnstudio` commands start as fast as before.
"""

from __future__ import annotations

import argparse

from cnnstudio.cli.exit_codes import ExitCode
from cnnstudio.cli.inspect_attribution import ACTIONS as ATTRIBUTION_ACTIONS
from cnnstudio.cli.inspect_attribution import CAM_CHOICES, SALIENCY_CHOICES
from cnnstudio.cli.inspect_common import Action, open_model
from cnnstudio.cli.inspect_data import ACTIONS as DATA_ACTIONS
from cnnstudio.cli.inspect_data import METRIC_CHOICES, PROJECTION_CHOICES
from cnnstudio.cli.inspect_pictures import ACTIONS as PICTURE_ACTIONS
from cnnstudio.cli.inspect_pictures import COLORMAP_CHOICES, SORT_CHOICES
from cnnstudio.cli.prediction import run_guarded

__all__ = [
    "ACTIONS",
    "CAM_CHOICES",
    "COLORMAP_CHOICES",
    "METRIC_CHOICES",
    "PROJECTION_CHOICES",
    "RESIZE_CHOICES",
    "SALIENCY_CHOICES",
    "SORT_CHOICES",
    "add_commands",
]

ACTIONS: dict[str, Action] = {**PICTURE_ACTIONS, **ATTRIBUTION_ACTIONS, **DATA_ACTIONS}
# The argparse choices; tests check they equal the library's own lists (imported lazily here).
RESIZE_CHOICES = ("crop", "stretch")


def cmd_inspect(args: argparse.Namespace) -> int:
    def body() -> int:
        ACTIONS[args.action].run(args, open_model(args.model))
        return ExitCode.OK

    return run_guarded(f"inspect {args.action}", body)


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    """Register `inspect` and its actions on the `cnnstudio` command's subparsers."""
    parser = subparsers.add_parser(
        "inspect",
        help="feature maps, filters, Grad-CAM, occlusion, saliency, adversarial examples, embeddings, the "
        "arithmetic of a layer, activation maximization, DeepDream",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    for name, action in ACTIONS.items():
        p = actions.add_parser(name, help=action.help, description=action.help)
        p.add_argument(
            "--model",
            required=True,
            help="a run directory, checkpoint, .cnn.json design, efficientnet_lite0 or torchvision:NAME",
        )
        if action.output is not None:
            p.add_argument("-o", "--output", required=True, help=action.output)
        if action.layer:
            p.add_argument("--layer", help="layer name (a design's node id, or a module path)")
        if action.image:
            p.add_argument("--image", help="the image file to look at")
            p.add_argument(
                "--resize",
                choices=RESIZE_CHOICES,
                default="crop",
                help="fit the image to the model's input as the model was evaluated (crop, the default: "
                "scale to cover and cut the centre) or by stretching the whole image",
            )
        if action.target:
            p.add_argument("--class", dest="class_", metavar="C", help="class index or name (default: predicted)")
        action.arguments(p)
        p.set_defaults(func=cmd_inspect)
