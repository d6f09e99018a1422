#ifndef VOLT_CMPI_SHIM_H
#define VOLT_CMPI_SHIM_H
// Open MPI's handles are macros over library globals; these wrappers make them callable from Swift.
#include <mpi.h>

static inline MPI_Comm volt_MPI_COMM_WORLD(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype volt_MPI_FLOAT(void) { return MPI_FLOAT; }
static inline MPI_Datatype volt_MPI_DOUBLE(void) { return MPI_DOUBLE; }
static inline MPI_Datatype volt_MPI_INT64_T(void) { return MPI_INT64_T; }
static inline MPI_Datatype volt_MPI_BYTE(void) { return MPI_BYTE; }
static inline MPI_Op volt_MPI_SUM(void) { return MPI_SUM; }
static inline MPI_Op volt_MPI_MAX(void) { return MPI_MAX; }
static inline MPI_Op volt_MPI_MIN(void) { return MPI_MIN; }
static inline void *volt_MPI_IN_PLACE(void) { return MPI_IN_PLACE; }
static inline MPI_Status *volt_MPI_STATUS_IGNORE(void) { return MPI_STATUS_IGNORE; }
static inline MPI_Request volt_MPI_REQUEST_NULL(void) { return MPI_REQUEST_NULL; }
static inline MPI_Status *volt_MPI_STATUSES_IGNORE(void) { return MPI_STATUSES_IGNORE; }
#endif
