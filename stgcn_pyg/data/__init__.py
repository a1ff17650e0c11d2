"""Datasets: the seed's folder format, raw NTU RGB+D and NW-UCLA readers, preparation into
the folder format, augmentations, input streams, and the synthetic demo generator."""
from .folder import (SkeletonFolder, num_classes_of, read_class_names, read_folder_meta,
                     write_folder)
from .ntu import NTUSequence, ntu_split, parse_ntu_name, read_ntu_skeleton
from .msr import MSRSequence, msr_files, msr_split, read_msr_skeleton
from .skeleton_dataset import SkeletonDataset
from .prepare import fit_sequence, prepare_msr, prepare_ntu, prepare_ucla, prepare_utkinect
from .streams import STREAMS, Streams, bone_parents, bones, motion
from .synthetic import ACTIONS, synthesize, write_synthetic
from .toolkit_formats import (prepare_ctrgcn_npz, prepare_kinetics, prepare_pyskl,
                              prepare_stgcn_npy)
from .transforms import (Compose, RandomRotation, RandomScale, RandomShift,
                         RandomTemporalCrop, Resample, default_augmentation, resample,
                         rotation_matrix)
from .view import NormalizeView, view_joints_of, view_transform
from .utkinect import UTKinectClip, read_utkinect, utkinect_split
from .ucla import UCLASequence, read_ucla_json, ucla_files, ucla_recording, ucla_split

__all__ = [
    "ACTIONS", "Compose", "MSRSequence", "NTUSequence", "NormalizeView", "RandomRotation",
    "RandomScale", "RandomShift", "RandomTemporalCrop", "Resample", "STREAMS", "SkeletonDataset",
    "SkeletonFolder",
    "Streams", "UCLASequence", "UTKinectClip", "bone_parents", "bones", "default_augmentation",
    "fit_sequence", "motion", "msr_files", "msr_split", "ntu_split", "num_classes_of",
    "parse_ntu_name", "prepare_ctrgcn_npz", "prepare_kinetics", "prepare_msr", "prepare_ntu",
    "prepare_pyskl", "prepare_stgcn_npy", "prepare_ucla", "prepare_utkinect", "read_class_names",
    "read_folder_meta", "read_msr_skeleton", "read_ntu_skeleton", "read_ucla_json",
    "read_utkinect", "resample", "rotation_matrix", "synthesize", "ucla_files", "ucla_recording",
    "ucla_split", "utkinect_split", "view_joints_of", "view_transform", "write_folder",
    "write_synthetic",
]
