def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "loopback_proxy: starts gunicorn and the Debian nginx binary on 127.0.0.1 (`make system-deps` installs nginx)",
    )
