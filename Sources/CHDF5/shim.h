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
static inline hid_t volt_H5P_LINK_CREATE(void) { return H5P_LINK_CREATE; }
static inline unsigned volt_H5P_CRT_ORDER_TRACKED_INDEXED(void) { return H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED; }
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

// Used by the HDF5 binding (Sources/VoltHDF5).
#include <stdio.h>
static inline hid_t volt_H5E_DEFAULT(void) { return H5E_DEFAULT; }
static inline hid_t volt_H5P_FILE_CREATE(void) { return H5P_FILE_CREATE; }
static inline hid_t volt_H5P_GROUP_CREATE(void) { return H5P_GROUP_CREATE; }
static inline hid_t volt_H5T_STD_U16LE(void) { return H5T_STD_U16LE; }
static inline hid_t volt_H5T_STD_I32LE(void) { return H5T_STD_I32LE; }
static inline hid_t volt_H5T_STD_I64LE(void) { return H5T_STD_I64LE; }
static inline hid_t volt_H5T_STD_U64LE(void) { return H5T_STD_U64LE; }
static inline hid_t volt_H5T_IEEE_F64LE(void) { return H5T_IEEE_F64LE; }
static inline hid_t volt_H5T_NATIVE_UINT64(void) { return H5T_NATIVE_UINT64; }
static inline haddr_t volt_HADDR_UNDEF(void) { return HADDR_UNDEF; }
static inline H5F_libver_t volt_H5F_LIBVER_LATEST(void) { return H5F_LIBVER_LATEST; }

static inline herr_t volt_H5_append_error(unsigned n, const H5E_error2_t *error, void *data) {
    char **cursor = (char **)data;
    char *end = cursor[1];
    size_t room = (size_t)(end - cursor[0]);
    if (room > 1 && error->desc && error->desc[0]) {
        int written = snprintf(cursor[0], room, "%s%s", n == 0 ? "" : "; ", error->desc);
        if (written > 0) cursor[0] += ((size_t)written < room ? (size_t)written : room - 1);
    }
    return 0;
}
/// Writes the descriptions on HDF5's current error stack, outermost first and separated by "; ", into `buffer`.
/// Call it right after the failing call: the next HDF5 call clears the stack.
static inline void volt_H5_error_text(char *buffer, size_t size) {
    if (size == 0) return;
    buffer[0] = 0;
    char *cursor[2] = { buffer, buffer + size };
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, volt_H5_append_error, cursor);
}
#endif
