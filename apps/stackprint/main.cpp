#include "stackprint/cli/run.hpp"

int main(int argc, char** argv) { return stackprint::cli::run(argc, argv); }
