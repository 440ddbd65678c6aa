#!/usr/bin/env python3
"""The peers of tools/bench/run: Loro (loro) and Yrs (pycrdt) doing the same work as Fieldbook.

Usage: peers.py wire WORKLOAD.json [--tag wire]
                                       the day's edits as a Loro update and a Yrs update, raw and zlib level 9
                                       (Fieldbook's level; bytes); `--tag wire.day2` for the second day (its base
                                       holds the first)
       peers.py apply WORKLOAD.json [--runs 5] [--tag apply]
                                       import every edit into an empty document (ops/s)
       peers.py snapshot WORKLOAD.json the whole document as one full update, raw and zlib level 9 (bytes): what a
                                       new device would download, beside Fieldbook's initial pull of the same content

The workload is the JSON that fieldbook-bench writes (tools/bench/FieldbookBench/Workload.swift): customers are
maps nested in one root map `customers`, keyed by their ID, tags a nested map used as a set, contacts and purchases
maps appended to a nested list. Only the library calls are timed. Every figure is a `RESULT {json}` line on stdout.

Why nested (issue 20, session 5): since protocol version 3 Fieldbook names an entity by the op that created it, and a
batch names an existing customer in a few bytes. Loro and Yrs name a nested map the same way (by its creating op:
peer and counter), while a root map is named by its text in every update that touches it: with root maps keyed by
the 26-character ID, each peer paid about 8 incompressible bytes per customer touched that Fieldbook no longer pays.
"""
import json
import resource
import sys
import time
import zlib

import loro
import pycrdt


def emit(ident, label, unit, values, **extra):
    record = {"id": ident, "label": label, "unit": unit, "values": values, **extra}
    print("RESULT " + json.dumps(record, sort_keys=True, ensure_ascii=False), flush=True)
    print(f"  {label}: {values} {unit}", file=sys.stderr, flush=True)


class LoroPeer:
    name = "loro"

    def __init__(self):
        self.doc = loro.LoroDoc()
        self.doc.peer_id = 1

    def apply(self, edit, customers):
        kind, c = edit[0], customers[edit[1]]
        m = self.doc.get_map("customers").get_or_create_container(c, loro.LoroMap())
        if kind in ("C", "S"):
            fields = edit[2] if kind == "C" else {edit[2]: edit[3]}
            for k, v in fields.items():
                m.insert(k, v)
        elif kind == "A":
            self._child(m, "tags", loro.LoroMap).insert(edit[2], True)
        elif kind == "R":
            self._child(m, "tags", loro.LoroMap).delete(edit[2])
        elif kind == "E":
            events = self._child(m, "events", loro.LoroList)
            event = events.insert_container(len(events), loro.LoroMap())
            event.insert("kind", edit[2])
            for k, v in edit[3].items():
                event.insert(k, v)
        self.doc.commit()

    @staticmethod
    def _child(m, key, kind):
        return m.get_or_create_container(key, kind())

    def version(self):
        return self.doc.oplog_vv

    def update_since(self, version):
        return self.doc.export(loro.ExportMode.Updates(version))

    def full_update(self):
        return self.doc.export(loro.ExportMode.Updates(loro.VersionVector()))

    @staticmethod
    def timed_import(update):
        doc = loro.LoroDoc()
        start = time.perf_counter()
        doc.import_(update)
        return time.perf_counter() - start


class YrsPeer:
    name = "yrs"

    def __init__(self):
        self.doc = pycrdt.Doc(client_id=1)

    def apply(self, edit, customers):
        kind, c = edit[0], customers[edit[1]]
        with self.doc.transaction():
            root = self.doc.get("customers", type=pycrdt.Map)
            if c not in root:
                root[c] = pycrdt.Map()
            m = root[c]
            if kind in ("C", "S"):
                fields = edit[2] if kind == "C" else {edit[2]: edit[3]}
                for k, v in fields.items():
                    m[k] = v
            elif kind == "A":
                self._child(m, "tags", pycrdt.Map)[edit[2]] = True
            elif kind == "R":
                tags = self._child(m, "tags", pycrdt.Map)
                if edit[2] in tags:
                    del tags[edit[2]]
            elif kind == "E":
                events = self._child(m, "events", pycrdt.Array)
                events.append(pycrdt.Map({"kind": edit[2], **edit[3]}))

    @staticmethod
    def _child(m, key, kind):
        if key not in m:
            m[key] = kind()
        return m[key]

    def version(self):
        return self.doc.get_state()

    def update_since(self, version):
        return self.doc.get_update(version)

    def full_update(self):
        return self.doc.get_update()

    @staticmethod
    def timed_import(update):
        doc = pycrdt.Doc()
        start = time.perf_counter()
        doc.apply_update(update)
        return time.perf_counter() - start


PEERS = [LoroPeer, YrsPeer]


def wire(workload, tag):
    customers = workload["customers"]
    for peer_type in PEERS:
        peer = peer_type()
        for edit in workload["base"]:
            peer.apply(edit, customers)
        version = peer.version()
        for edit in workload["edits"]:
            peer.apply(edit, customers)
        update = peer.update_since(version)
        n = len(workload["edits"])
        day = "the day's" if tag == "wire" else tag.split(".")[-1].replace("day", "day ") + "'s"
        emit(f"{tag}.{peer.name}", f"{peer.name}: update of {day} {n} edits", "B", [float(len(update))],
             per_op=len(update) / n)
        # Level 9, the level of Fieldbook's compressed OPS batch (FieldbookWire's Zlib): the same compressor at the
        # same setting on both sides.
        squeezed = len(zlib.compress(update, 9))
        emit(f"{tag}.{peer.name}.zlib", f"{peer.name}: the same update, zlib level 9", "B", [float(squeezed)],
             per_op=squeezed / n)


def values_floor(workload, tag, whole=False):
    """The day's field values alone (text as UTF-8, numbers in decimal, one after another), zlib level 9: what any
    encoding of the same edits carries at least, whatever it names fields, customers and ops with. `whole`: the base's
    edits too (the whole book, for the initial pull)."""
    parts = []
    edits = (workload["base"] if whole else []) + workload["edits"]
    for edit in edits:
        kind = edit[0]
        values = edit[2].values() if kind == "C" else [edit[3]] if kind == "S" else [edit[2]] if kind in "AR" \
            else edit[3].values()
        parts.extend(str(v) for v in values)
    squeezed = len(zlib.compress("\n".join(parts).encode("utf-8"), 9))
    what = "the book's values alone" if whole else "the edits' values alone"
    emit(f"{tag}.values.zlib", f"floor: {what}, zlib level 9", "B", [float(squeezed)], per_op=squeezed / len(edits))


def filled(peer_type, workload):
    """A peer holding every edit of the workload (base and measured), and the number of edits."""
    peer = peer_type()
    edits = workload["base"] + workload["edits"]
    for edit in edits:
        peer.apply(edit, workload["customers"])
    return peer, len(edits)


def apply(workload, runs, tag):
    for peer_type in PEERS:
        peer, n = filled(peer_type, workload)
        update = peer.full_update()
        del peer
        rates = [n / peer_type.timed_import(update) for _ in range(runs)]
        emit(f"{tag}.{peer_type.name}", f"{peer_type.name}: import {n} ops into an empty document", "ops/s",
             rates, ops=n, update_bytes=len(update))
    emit(f"{tag}.peers.rss", "peers: peak RSS of the Python process", "MiB",
         [resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024])


def snapshot(workload):
    for peer_type in PEERS:
        peer, n = filled(peer_type, workload)
        update = peer.full_update()
        emit(f"pull.{peer.name}", f"{peer.name}: full update of the book ({n} edits)", "B",
             [float(len(update))])
        # Level 9, the level of Fieldbook's compressed OPS batches: the same compressor at the same setting.
        emit(f"pull.{peer.name}.zlib", f"{peer.name}: the same update, zlib level 9", "B",
             [float(len(zlib.compress(update, 9)))])
        if peer.name == "loro":
            # What Loro keeps of a document: its snapshot (state and history), beside the size of a Fieldbook book.
            snapshot_bytes = peer.doc.export(loro.ExportMode.Snapshot())
            emit("book.loro.snapshot", "loro: snapshot of the same book (state and history)", "B",
                 [float(len(snapshot_bytes))])
    values_floor(workload, "pull", whole=True)


def main(argv):
    if len(argv) < 3 or argv[1] not in ("wire", "apply", "snapshot"):
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[2], encoding="utf-8") as f:
        workload = json.load(f)
    options = dict(zip(argv[3::2], argv[4::2]))
    if argv[1] == "wire":
        wire(workload, options.get("--tag", "wire"))
        values_floor(workload, options.get("--tag", "wire"))
    elif argv[1] == "snapshot":
        snapshot(workload)
    else:
        apply(workload, int(options.get("--runs", 5)), options.get("--tag", "apply"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
