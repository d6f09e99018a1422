#!/usr/bin/env python3
"""TensorBoard event-file fixtures for Volt's TensorBoardLogger, written and read by TensorBoard itself.

Setup (TensorBoard only; no PyTorch or TensorFlow needed):
    python3 -m venv /tmp/tbvenv && /tmp/tbvenv/bin/pip install tensorboard

Write the fixture (Tests/VoltTests/Fixtures/tensorboard/):
    /tmp/tbvenv/bin/python scripts/make_tensorboard_fixture.py
  - events.out.tfevents.1700000000.fixture.0.0: written by TensorBoard's own EventFileWriter (its TFRecord
    framing and CRCs, its first `file_version` event, with time.time() pinned so the file is reproducible),
    holding the scalars and hparams-plugin summaries that Lightning's TensorBoardLogger writes, with fixed
    wall times.
  - events.json: the events in file order as TensorBoard's RawEventFileLoader reads them (what the Swift test
    re-encodes with Volt and compares byte for byte), and what EventAccumulator makes of the file.

Read an event file or run directory that Volt wrote, and print what TensorBoard sees:
    /tmp/tbvenv/bin/python scripts/make_tensorboard_fixture.py --read PATH
"""

import argparse
import json
import os
import sys
from unittest import mock

from google.protobuf import json_format
from tensorboard.backend.event_processing import event_accumulator
from tensorboard.backend.event_processing.event_file_loader import RawEventFileLoader
from tensorboard.compat.proto import event_pb2, summary_pb2
from tensorboard.plugins.hparams import api_pb2, metadata, plugin_data_pb2
from tensorboard.summary.writer import event_file_writer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURE_DIR = os.path.join(ROOT, "Tests", "VoltTests", "Fixtures", "tensorboard")
FIXTURE_NAME = "events.out.tfevents.1700000000.fixture.0.0"
FILE_WALL_TIME = 1700000000.0

# (tag, step, value, wall_time): the values include an exact float32, a tiny one, a negative, zero and a rounding.
SCALARS = [
    ("train_loss", 0, 0.5, 1700000001.0),
    ("val_loss", 0, 1e-8, 1700000001.25),
    ("train_loss", 1, -3.25, 1700000002.5),
    ("val_loss", 1, 0.0, 1700000002.75),
    ("train_loss", 2, 0.1, 1700000003.125),
    ("val_loss", 2, 123456.789, 1700000003.5),
    ("train_loss", 1000, 2.0, 1700000010.0),
]
# Hyper-parameters as Lightning's TensorBoardLogger.log_hyperparams sends them (with hp_metric = -1).
HPARAMS = {"batch_size": 8, "lr": 1e-05, "name": "rabies run", "use_fp16": True}
HPARAMS_WALL_TIME = 1700000000.5


def hparams_summaries(hparams, metric_tags):
    """torch.utils.tensorboard.summary.hparams, built from TensorBoard's protos (keys sorted, bools as bools)."""
    infos, start = [], plugin_data_pb2.SessionStartInfo()
    for key in sorted(hparams):
        value = hparams[key]
        if isinstance(value, bool):
            start.hparams[key].bool_value = value
            kind = api_pb2.DATA_TYPE_BOOL
        elif isinstance(value, (int, float)):
            start.hparams[key].number_value = value
            kind = api_pb2.DATA_TYPE_FLOAT64
        else:
            start.hparams[key].string_value = value
            kind = api_pb2.DATA_TYPE_STRING
        infos.append(api_pb2.HParamInfo(name=key, type=kind))
    experiment = api_pb2.Experiment(
        hparam_infos=infos, metric_infos=[api_pb2.MetricInfo(name=api_pb2.MetricName(tag=t)) for t in metric_tags])
    end = plugin_data_pb2.SessionEndInfo(status=api_pb2.STATUS_SUCCESS)
    contents = [
        (metadata.EXPERIMENT_TAG, plugin_data_pb2.HParamsPluginData(experiment=experiment)),
        (metadata.SESSION_START_INFO_TAG, plugin_data_pb2.HParamsPluginData(session_start_info=start)),
        (metadata.SESSION_END_INFO_TAG, plugin_data_pb2.HParamsPluginData(session_end_info=end)),
    ]
    summaries = []
    for tag, content in contents:
        content.version = metadata.PLUGIN_DATA_VERSION
        smd = summary_pb2.SummaryMetadata(plugin_data=summary_pb2.SummaryMetadata.PluginData(
            plugin_name=metadata.PLUGIN_NAME, content=content.SerializeToString(deterministic=True)))
        summaries.append(summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag=tag, metadata=smd)]))
    return summaries


def write_fixture():
    os.makedirs(FIXTURE_DIR, exist_ok=True)
    for name in os.listdir(FIXTURE_DIR):
        if "tfevents" in name:
            os.remove(os.path.join(FIXTURE_DIR, name))
    with mock.patch.object(event_file_writer.time, "time", return_value=FILE_WALL_TIME):
        writer = event_file_writer.EventFileWriter(FIXTURE_DIR)
    # Lightning: log_metrics({"hp_metric": -1}, step=None), then the three hparams summaries with no step.
    writer.add_event(event_pb2.Event(wall_time=HPARAMS_WALL_TIME, summary=summary_pb2.Summary(
        value=[summary_pb2.Summary.Value(tag="hp_metric", simple_value=-1)])))
    for summary in hparams_summaries(HPARAMS, ["hp_metric"]):
        writer.add_event(event_pb2.Event(wall_time=HPARAMS_WALL_TIME, summary=summary))
    for tag, step, value, wall_time in SCALARS:  # SummaryWriter.add_scalar(tag, value, step, wall_time)
        writer.add_event(event_pb2.Event(wall_time=wall_time, step=step, summary=summary_pb2.Summary(
            value=[summary_pb2.Summary.Value(tag=tag, simple_value=value)])))
    writer.close()
    os.rename(writer._file_name, os.path.join(FIXTURE_DIR, FIXTURE_NAME))
    listing = {"file": FIXTURE_NAME, "records": file_records(os.path.join(FIXTURE_DIR, FIXTURE_NAME)),
               "accumulator": accumulate(FIXTURE_DIR)}
    with open(os.path.join(FIXTURE_DIR, "events.json"), "w") as f:
        json.dump(listing, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"wrote {FIXTURE_DIR}/{FIXTURE_NAME} and events.json ({len(listing['records'])} records)")


def file_records(path):
    """Every event in file order, as TensorBoard's RawEventFileLoader reads it (before any data migration)."""
    records = []
    for raw in RawEventFileLoader(path).Load():
        event = event_pb2.Event.FromString(raw)
        record = {"wall_time": event.wall_time, "step": event.step}
        if event.HasField("file_version"):
            record["file_version"] = event.file_version
            record["source_writer"] = event.source_metadata.writer
        for value in event.summary.value:
            item = {"tag": value.tag}
            if value.HasField("simple_value"):
                item["simple_value"] = value.simple_value  # the float32, exactly, as a Python float
            if value.metadata.plugin_data.plugin_name:
                item["plugin_name"] = value.metadata.plugin_data.plugin_name
                item["plugin_content_hex"] = value.metadata.plugin_data.content.hex()
                if item["plugin_name"] == metadata.PLUGIN_NAME:
                    item["plugin_data"] = json_format.MessageToDict(
                        plugin_data_pb2.HParamsPluginData.FromString(value.metadata.plugin_data.content))
            record.setdefault("values", []).append(item)
        records.append(record)
    return records


def accumulate(path):
    """What EventAccumulator (TensorBoard's reader behind its scalar dashboards) makes of a file or directory."""
    acc = event_accumulator.EventAccumulator(path, size_guidance={event_accumulator.SCALARS: 0})
    acc.Reload()
    scalars = {tag: [[e.wall_time, e.step, e.value] for e in acc.Scalars(tag)] for tag in acc.Tags()["scalars"]}
    try:
        contents = acc.PluginTagToContent(metadata.PLUGIN_NAME)
    except KeyError:  # no hparams summaries in the file
        contents = {}
    hparams = {tag: json_format.MessageToDict(plugin_data_pb2.HParamsPluginData.FromString(content))
               for tag, content in contents.items()}
    return {"file_version": acc.file_version, "scalars": scalars, "hparams": hparams}


def read(path):
    seen = accumulate(path)
    print(f"file_version: {seen['file_version']}")
    for tag, events in sorted(seen["scalars"].items()):
        for wall_time, step, value in events:
            print(f"scalar {tag} step={step} value={value!r} wall_time={wall_time!r}")
    for tag, data in sorted(seen["hparams"].items()):
        print(f"hparams {tag} {json.dumps(data, sort_keys=True)}")
    files = [path] if os.path.isfile(path) else sorted(
        os.path.join(path, n) for n in os.listdir(path) if "tfevents" in n)
    for name in files:
        print(f"{name}: {len(file_records(name))} events read by RawEventFileLoader", file=sys.stderr)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--read", metavar="PATH", help="print what TensorBoard reads from an event file or directory")
    args = parser.parse_args()
    read(args.read) if args.read else write_fixture()
