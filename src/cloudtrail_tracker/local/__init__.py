"""The whole stack on this machine: moto as the embedded AWS, the real handlers, template.yaml's resources."""
