// Package imagebuild builds the service's container image from local code and
// pushes it to a registry, normally the environment's ECR repository, so the
// service stack can pin it by digest (repository@sha256:...).
//
// Two builders stand behind the Builder interface:
//
//   - DockerBuilder runs `docker build` with a Dockerfile (app/Dockerfile) and
//     reads the result back with `docker image save`; it needs a Docker engine.
//   - GoBuilder needs no daemon: it compiles a Go package to a static binary
//     (CGO_ENABLED=0, -trimpath) and layers it on an empty or given base with
//     go-containerregistry, with an entrypoint, a non-root user (65532), an
//     exposed port and OCI labels (org.opencontainers.image.revision from git).
//     Its output is reproducible: the same source gives the same digest.
//
// Either way the push goes through Push (go-containerregistry), with ECR
// credentials from the AWS SDK's GetAuthorizationToken (ECRLogin): no
// credentials are handed to a shell or to `docker login`. Plain HTTP is
// refused for every registry but loopback ones (127.0.0.1, localhost, ::1).
//
// SetImageDigest records the pushed digest in an environment file
// (service.image.digest), keeping the file's comments and layout.
package imagebuild
