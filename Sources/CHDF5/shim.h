#ifndef VOLT_CHDF5_SHIM_H
#define VOLT_CHDF5_SHIM_H
// HDF5's C API. Its property-list and type identifiers are macros over library globals, which Swift cannot
// import, so they are wrapped in functions here.
#include <hdf5.h>

static inline hid_t volt_H5P_DEFAULT(void) { return H5P_DEFAULT; }
static inline hid_t volt_H5S_ALL(void) { return H5S_ALL; }
static inline unsigned volt_H5F_ACC_TRUNC(void) { return H5F_ACC_TRUNC; }
static inline unsigned volt_H5F_ACC_RDONLY(void) { return H5F_ACC_RDONLY; }
static inline unsigned volt_H5F_ACC_RDWR(void) { return H5F_ACC_RDWR; }
static inline hid_t volt_H5P_FILE_ACCESS(void) { return H5P_FILE_ACCESS; }
static inline hid_t volt_H5P_DATASET_CREATE(void) { return H5P_DATASET_CREATE; }
static inline hid_t volt_H5T_NATIVE_FLOAT(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t volt_H5T_NATIVE_DOUBLE(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t volt_H5T_NATIVE_INT32(void) { return H5T_NATIVE_INT32; }
static inline hid_t volt_H5T_NATIVE_INT64(void) { return H5T_NATIVE_INT64; }
static inline hid_t volt_H5T_NATIVE_UINT16(void) { return H5T_NATIVE_UINT16; }
static inline hid_t volt_H5T_NATIVE_UINT8(void) { return H5T_NATIVE_UINT8; }
static inline hid_t volt_H5T_IEEE_F32LE(void) { return H5T_IEEE_F32LE; }
static inline hid_t volt_H5T_IEEE_F16LE_OR_UINT16(void) { return H5T_STD_U16LE; }
static inline hid_t volt_H5T_C_S1(void) { return H5T_C_S1; }
static inline size_t volt_H5T_VARIABLE(void) { return H5T_VARIABLE; }
/// Turns off HDF5's automatic error printing, so failures surface as Swift errors only.
static inline void volt_H5_silence_errors(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }
#endif
