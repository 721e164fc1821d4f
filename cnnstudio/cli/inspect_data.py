"""The Inspect tab's Embedding and Arithmetic views from the command line: where a data set's images lie in
the network's feature space (t-SNE or PCA, as CSV and a scatter plot), and the sum behind one output value
of a convolution or pooling layer, with its numbers."""

from __future__ import annotations

import argparse
import io
from dataclasses import asdict, is_dataclass
from typing import TYPE_CHECKING, Any

from cnnstudio.cli.inspect_common import Action, InspectedModel, image_input, print_json, save_picture
from cnnstudio.cli.options import add_data, add_data_root, add_json, positive_int

if TYPE_CHECKING:
    import numpy as np
    import torch

    from cnnstudio.data import ImageDataset
    from cnnstudio.viz.arithmetic import ConvExplanation, PoolExplanation

# The argparse choices; tests check they equal the library's own lists (imported lazily here).
PROJECTION_CHOICES = ("pca", "tsne")
METRIC_CHOICES = ("cosine", "euclidean")


def _validation_images(args: argparse.Namespace, model: InspectedModel) -> ImageDataset:
    """The validation images of --data, fitted to the model's input (the Embedding view's data set)."""
    from cnnstudio.data import load_data
    from cnnstudio.viz.runtime import InspectError

    split = load_data(args.data, model.preprocessing.input_shape, root=args.data_root, download=args.download)
    if len(split.val) == 0:
        raise InspectError(f"{args.data} holds no validation images to embed")
    return split.val


def _query(args: argparse.Namespace, model: InspectedModel, dataset: ImageDataset) -> torch.Tensor:
    """--image, or else the first image of the set."""
    from cnnstudio.viz.dataset_embedding import model_batches

    if args.image:
        return image_input(args, model)
    return next(model_batches(dataset.images[:1], model.preprocessing))


def _points_csv(dataset: ImageDataset, rows: np.ndarray, labels: np.ndarray, points: np.ndarray) -> str:
    import csv

    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(["row", "label", "class", "x", "y"])
    for row, label, (x, y) in zip(rows, labels, points, strict=True):
        writer.writerow([int(row), int(label), dataset.classes[int(label)], f"{x:.6g}", f"{y:.6g}"])
    return text.getvalue()


def run_embedding(args: argparse.Namespace, model: InspectedModel) -> None:
    from cnnstudio.fileio import atomic_write_text
    from cnnstudio.viz.dataset_embedding import embed_dataset, embedding_picture

    dataset = _validation_images(args, model)
    embedding = embed_dataset(
        model.module,
        dataset,
        model.preprocessing,
        _query(args, model, dataset),
        method=args.method,
        limit=args.limit,
        neighbours=args.neighbours,
        metric=args.metric,
    )
    atomic_write_text(args.output, _points_csv(dataset, embedding.rows, embedding.labels, embedding.points))
    if args.plot:
        save_picture(embedding_picture(embedding, list(dataset.classes)), args.plot, quiet=True)
    nearest = [
        {
            "row": int(embedding.rows[index]),
            "class": dataset.classes[int(embedding.labels[index])],
            "distance": round(float(distance), 6),
        }
        for index, distance in zip(embedding.neighbours.indices, embedding.neighbours.distances, strict=True)
    ]
    if args.json:
        print_json(
            {
                "method": args.method,
                "images": len(embedding.rows),
                "points": args.output,
                "plot": args.plot,
                "input": [round(float(value), 6) for value in embedding.query],
                "input_placed_exactly": embedding.placed_exactly,
                "metric": args.metric,
                "neighbours": nearest,
            }
        )
        return
    print(f"wrote {args.output} ({len(embedding.rows)} images, {args.method.upper()} coordinates)")
    if args.plot:
        print(f"wrote {args.plot}")
    where = "at" if embedding.placed_exactly else "beside its nearest neighbour, at"
    print(f"the input lies {where} ({embedding.query[0]:.4g}, {embedding.query[1]:.4g}); nearest ({args.metric}):")
    for neighbour in nearest:
        print(f"  row {neighbour['row']:>6}  {neighbour['class']:<16} distance {neighbour['distance']:.4g}")


def _plain(value: Any) -> Any:
    """An explanation as JSON values: arrays as nested lists, NaN (outside the input) as null."""
    import math

    import numpy as np

    if is_dataclass(value):
        return {key: _plain(item) for key, item in asdict(value).items()}
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, np.ndarray):
        return _plain(value.tolist())
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) else float(value)
    if isinstance(value, np.integer | np.bool_):
        return value.item()
    return value


def _grid(values: np.ndarray) -> list[str]:
    return [" ".join("   pad" if v != v else f"{v:>6.3g}" for v in row) for row in values]


def _explanation_text(explanation: ConvExplanation | PoolExplanation) -> list[str]:
    from cnnstudio.viz.arithmetic import ConvExplanation

    lines = [
        f"input rows {explanation.rows[0]}…{explanation.rows[-1]}, columns {explanation.cols[0]}…{explanation.cols[-1]}"
        " (outside the input: padding)"
    ]
    if isinstance(explanation, ConvExplanation):
        for part in explanation.channels:
            lines.append(f"input channel {part.input_channel}: patch × kernel, summed = {part.sum:.6g}")
            for patch, kernel, products in zip(
                _grid(part.patch), _grid(part.kernel), _grid(part.products), strict=True
            ):
                lines.append(f"  {patch}   ×   {kernel}   →   {products}")
        divided = f" / {explanation.divisor:g}" if explanation.divisor != 1 else ""
        lines.append(
            f"sum over {len(explanation.channels)} channel(s) = {explanation.total:.6g}{divided}; "
            f"+ bias {explanation.bias:.6g} = {explanation.pre_activation:.6g}"
        )
        if explanation.activation:
            lines.append(f"{explanation.activation} → {explanation.value:.6g}")
        return lines
    lines.extend(f"  {row}" for row in _grid(explanation.window))
    if explanation.kind == "max":
        row, col = explanation.winner
        lines.append(f"max = {explanation.value:.6g} at input row {row}, column {col}")
    else:
        lines.append(f"sum {explanation.total:.6g} / {explanation.divisor:g} = {explanation.value:.6g}")
    return lines


def run_arithmetic(args: argparse.Namespace, model: InspectedModel) -> None:
    from cnnstudio.viz.layer_values import layer_values
    from cnnstudio.viz.runtime import InspectError

    values = layer_values(model.module, image_input(args, model), args.layer or "")
    if args.layer and values.layer != args.layer:
        names = ", ".join(layer.name for layer in values.layers)
        raise InspectError(f"{args.layer} is not a convolution or pooling layer with 2-D maps; choose one of {names}")
    channels = values.output.shape[0]
    if not 0 <= args.channel < channels:
        raise InspectError(f"--channel {args.channel} is out of range: {values.layer} has {channels} channels")
    if (args.row is None) != (args.col is None):
        raise InspectError("give both --row and --col, or neither (the largest value of the channel)")
    row, col = (args.row, args.col) if args.row is not None else values.peak(args.channel)
    explanation = values.explain(args.channel, row, col)
    actual, same = values.check(explanation)
    if args.json:
        print_json(
            {
                "layer": values.layer,
                "kind": "convolution" if values.is_conv else "pooling",
                "explanation": _plain(explanation),
                "layer_output": actual,
                "matches": same,
            }
        )
        return
    print(f"{values.layer} · output channel {args.channel}, row {row}, column {col}")
    for line in _explanation_text(explanation):
        print(line)
    computed = explanation.pre_activation if values.is_conv else explanation.value
    verdict = "the same as the arithmetic" if same else f"NOT the {computed:.6g} of the arithmetic"
    print(f"{values.layer} really output {actual:.6g} here: {verdict}")


def _embedding_arguments(parser: argparse.ArgumentParser) -> None:
    add_data(parser, required=True, what="the images to embed (their validation split)")
    add_data_root(parser)
    parser.add_argument("--download", action="store_true", help="download a missing standard dataset")
    parser.add_argument("--image", help="the input to place among them (default: the set's first image)")
    parser.add_argument("--resize", choices=("crop", "stretch"), default="crop", help="how --image is fitted")
    parser.add_argument("--method", choices=PROJECTION_CHOICES, default="pca", help="projection to 2-D")
    parser.add_argument("--limit", type=positive_int, default=500, help="embed at most this many images (random)")
    parser.add_argument("--neighbours", type=positive_int, default=8, help="how many nearest images to list")
    parser.add_argument("--metric", choices=METRIC_CHOICES, default="cosine", help="feature distance")
    parser.add_argument("--plot", metavar="PNG", help="also write the scatter plot to this picture")
    add_json(parser, "the input's place and neighbours as JSON")


def _arithmetic_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--channel", type=int, default=0, help="output channel (default: 0)")
    parser.add_argument("--row", type=int, help="output row (default: where the channel is largest)")
    parser.add_argument("--col", type=int, help="output column")
    add_json(parser, "the numbers as JSON")


ACTIONS = {
    "embedding": Action(
        "t-SNE or PCA coordinates of a data set's features (CSV, optional scatter PNG) and the input's neighbours",
        run_embedding,
        _embedding_arguments,
        output="the CSV file of coordinates to write",
        layer=False,
    ),
    "arithmetic": Action(
        "the sum behind one output value of a convolution or pooling layer, with its numbers",
        run_arithmetic,
        _arithmetic_arguments,
        image=True,
        output=None,
    ),
}
